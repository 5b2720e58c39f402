import { customerTurns } from '@relevo/testing/openai-double'
import { afterEach, describe, expect, it } from 'vitest'
import { agentRpc } from './agent-rpc.ts'
import { type Backend, startBackend, TENANT_ID } from './backend.ts'

// CSAT (ADR 096) against the real SQL rules and the real pipeline: the rating question and the
// customer's answer never reach the model, and the answer wakes no AI run.

let backend: Backend | undefined
afterEach(async () => {
  await backend?.close()
  backend = undefined
})

describe('CSAT and the AI', () => {
  it('the answer "⭐⭐⭐⭐" is recorded without an AI run; the next chat turn shows the model neither it nor the question', async () => {
    const b = await startBackend({ script: [{ content: 'Hola, ¿en qué te ayudo?' }, { content: 'Claro' }] })
    backend = b
    await b.db.query('update public.tenants set csat_enabled = true where id = $1', [TENANT_ID])
    const first = await b.ingest('hola')
    await b.settle()
    const token = await b.signIn('ana@demo.relevo.test')
    await agentRpc(b, token, 'set_conversation_status', {
      p_conversation_id: first.conversationId,
      p_status: 'closed',
    })

    const rating = await b.ingest('⭐⭐⭐⭐')
    await b.settle()
    expect(b.openai.requests).toHaveLength(1)
    const { rows } = await b.db.query<{ score: number; runs: number; status: string }>(
      `select r.score, (select count(*)::int from public.ai_runs a where a.trigger_message_id = $2) as runs,
              c.status
       from public.csat_responses r join public.conversations c on c.id = r.conversation_id
       where r.conversation_id = $1`,
      [first.conversationId, rating.messageId],
    )
    expect(rows).toEqual([{ score: 4, runs: 0, status: 'closed' }])

    await b.ingest('¿tienen envíos a Puebla?')
    await b.settle()
    expect(b.openai.requests).toHaveLength(2)
    expect(customerTurns(b.openai.requests[1])).toEqual(['hola', '¿tienen envíos a Puebla?'])
    const said = JSON.stringify(b.openai.requests[1]?.messages)
    expect(said).not.toContain('calificarías')
    expect(said).not.toContain('⭐')
  })
})
