import { customerTurns } from '@relevo/testing/openai-double'
import { describe, expect, it } from 'vitest'
import { runScheduled } from '../src/app.ts'
import { signBody } from '../src/shared/signature.ts'
import { postRpc } from './agent-rpc.ts'
import { type Backend, backendPerTest, CHANNEL_ID, TENANT_ID, WEBHOOK_SECRET } from './backend.ts'

const start = backendPerTest()

async function outgoing(b: Backend, conversationId: string) {
  const { rows } = await b.db.query<{
    author: string
    body: string
    status: string
    in_reply_to: string | null
  }>(
    `select author, body, status, in_reply_to from public.messages
     where conversation_id = $1 and direction = 'out' and not private order by created_at`,
    [conversationId],
  )
  return rows
}

async function runs(b: Backend, conversationId: string) {
  const { rows } = await b.db.query<{
    outcome: string
    reason: string | null
    provider: string
    prompt_tokens: number
    model: string | null
  }>(
    'select outcome, reason, provider, prompt_tokens, model from public.ai_runs where conversation_id = $1 order by created_at',
    [conversationId],
  )
  return rows
}

async function conversation(b: Backend, id: string) {
  const { rows } = await b.db.query<{
    mode: string
    needs_attention: boolean
    attention_reason: string | null
  }>('select mode, needs_attention, attention_reason from public.conversations where id = $1', [id])
  return rows[0]
}

/** The customer deletes a message for everyone: what the connector does on a WhatsApp revoke. */
function revoke(b: Backend, waId: string) {
  return b.db.query('select public.record_revoke($1, $2)', [CHANNEL_ID, waId])
}

/** A webhook delivered again, signed as the database signs it. */
async function postWebhook(b: Backend, messageId: string, conversationId: string) {
  const body = JSON.stringify({
    type: 'INSERT',
    table: 'messages',
    schema: 'public',
    record: { id: messageId, conversation_id: conversationId, direction: 'in' },
    old_record: null,
  })
  const timestamp = Math.floor(Date.now() / 1000)
  return fetch(`${b.functions.url}/webhooks/db`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-relevo-timestamp': String(timestamp),
      'x-relevo-signature': await signBody(WEBHOOK_SECRET, timestamp, body),
    },
    body,
  })
}

describe('functions against the real SQL rules (local stand-in)', () => {
  it('answers a customer message end to end: ingest → database webhook → model → enqueue_ai_reply → ai_runs', async () => {
    const b = await start({ script: [{ content: '¡Hola! Bienvenido a Demo Store' }] })
    const { messageId, conversationId } = await b.ingest('hola')
    await b.settle()
    expect(await outgoing(b, conversationId)).toEqual([
      { author: 'ai', body: '¡Hola! Bienvenido a Demo Store', status: 'queued', in_reply_to: messageId },
    ])
    const [run] = await runs(b, conversationId)
    expect(run).toMatchObject({ outcome: 'replied', provider: 'openai', model: 'gpt-4o-mini' })
    expect(run?.prompt_tokens).toBeGreaterThan(0)
    expect(b.openai.requests[0]?.messages[0]?.content).toContain('Eres el asistente de ventas de Demo Store')
  })

  it('gives one reply and one decision to the same webhook delivered twice more', async () => {
    const b = await start({ script: [{ content: 'una' }, { content: 'dos' }, { content: 'tres' }] })
    const { messageId, conversationId } = await b.ingest('hola')
    const extra = await Promise.all([
      postWebhook(b, messageId, conversationId),
      postWebhook(b, messageId, conversationId),
    ])
    expect(extra.map((r) => r.status)).toEqual([202, 202])
    await b.settle()
    expect((await outgoing(b, conversationId)).filter((m) => m.author === 'ai')).toHaveLength(1)
    // Losing claims are released, so exactly one decision is recorded, and the model ran once.
    expect(await runs(b, conversationId)).toEqual([expect.objectContaining({ outcome: 'replied' })])
    expect(b.openai.requests).toHaveLength(1)
  })

  it('sends no AI message when an agent takes over while the model is generating', async () => {
    let agentToken = ''
    let conversationId = ''
    const b = await start({
      script: [
        async () => {
          // The agent takes over while the model is generating; its answer comes back only after that committed.
          const takeover = await postRpc(b, agentToken, 'takeover', { p_conversation_id: conversationId })
          expect(takeover.status).toBe(200)
          return { content: 'respuesta tardía' }
        },
      ],
    })
    agentToken = await b.signIn('ana@demo.relevo.test')
    const ingested = await b.ingest('hola')
    conversationId = ingested.conversationId
    await b.settle()
    expect((await outgoing(b, conversationId)).filter((m) => m.author === 'ai')).toEqual([])
    expect(await runs(b, conversationId)).toEqual([
      expect.objectContaining({ outcome: 'dropped', reason: 'not_ai_mode' }),
    ])
    expect((await conversation(b, conversationId))?.mode).toBe('human')
  })

  it('hands off on a handoff keyword: human mode, needs attention, fallback text queued', async () => {
    const b = await start()
    const { conversationId } = await b.ingest('quiero hablar con una persona')
    await b.settle()
    expect(await conversation(b, conversationId)).toEqual({
      mode: 'human',
      needs_attention: true,
      attention_reason: 'customer_asked_for_human',
    })
    expect(await outgoing(b, conversationId)).toEqual([
      expect.objectContaining({
        author: 'system',
        status: 'queued',
        body: expect.stringContaining('persona'),
      }),
    ])
    expect(b.openai.requests).toHaveLength(0)
  })

  it('hands every chat to a person when no OpenAI key is configured anywhere', async () => {
    const b = await start({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    const { conversationId } = await b.ingest('hola')
    await b.settle()
    expect(await conversation(b, conversationId)).toMatchObject({
      mode: 'human',
      attention_reason: 'ai_not_configured',
    })
    expect(await runs(b, conversationId)).toEqual([
      expect.objectContaining({ outcome: 'handoff', reason: 'ai_not_configured' }),
    ])
  })

  it('hands off with the fallback when the model server fails', async () => {
    const b = await start({ script: [{ status: 503, message: 'overloaded' }] })
    const { conversationId } = await b.ingest('hola')
    await b.settle()
    expect(await conversation(b, conversationId)).toMatchObject({
      mode: 'human',
      attention_reason: 'provider_failed: provider_http_503',
    })
    expect((await outgoing(b, conversationId)).map((m) => m.author)).toEqual(['system'])
  })

  it('answers a burst of three messages once after the debounce window', async () => {
    const b = await start({ script: [{ content: 'todo junto' }] })
    await b.db.query('update public.tenants set debounce_seconds = 1 where id = $1', [TENANT_ID])
    const first = await b.ingest('hola')
    await b.ingest('busco una taza')
    await b.ingest('azul')
    await b.settle()
    expect(await outgoing(b, first.conversationId)).toEqual([
      expect.objectContaining({ author: 'ai', body: 'todo junto' }),
    ])
    expect(b.openai.requests).toHaveLength(1)
    expect(customerTurns(b.openai.requests[0])).toEqual(['hola', 'busco una taza', 'azul'])
  })

  it('keeps a deleted message out of the context and does not answer a deleted trigger', async () => {
    const b = await start({ script: [{ content: 'claro' }] })
    await b.db.query('update public.tenants set debounce_seconds = 1 where id = $1', [TENANT_ID])
    const { conversationId } = await b.ingest('hola')
    await b.ingest('mi tarjeta es 4111 1111 1111 1111', { waId: 'wamid.RETRACTED' })
    await revoke(b, 'wamid.RETRACTED')
    await b.ingest('busco una taza')
    await b.settle()
    expect(customerTurns(b.openai.requests[0])).toEqual(['hola', 'busco una taza'])

    // Deleted within the debounce window: no model call and no decision recorded.
    await b.ingest('perdón, chat equivocado', { waId: 'wamid.WRONGCHAT' })
    await revoke(b, 'wamid.WRONGCHAT')
    await b.settle()
    expect(b.openai.requests).toHaveLength(1)
    expect(await runs(b, conversationId)).toEqual([expect.objectContaining({ outcome: 'replied' })])
  })

  it('records trigger_deleted when the customer deletes the message while the model is generating', async () => {
    const b = await start({
      script: [
        async () => {
          // The model's answer comes back only after the revoke committed.
          await revoke(b, 'wamid.MIDWAY')
          return { content: 'respuesta tardía' }
        },
      ],
    })
    const { conversationId } = await b.ingest('hola', { waId: 'wamid.MIDWAY' })
    await b.settle()
    expect((await outgoing(b, conversationId)).filter((m) => m.author === 'ai')).toEqual([])
    expect(await runs(b, conversationId)).toEqual([
      expect.objectContaining({ outcome: 'dropped', reason: 'trigger_deleted' }),
    ])
  })

  it('the sweeper answers a message whose webhook was dropped', async () => {
    const b = await start({ script: [{ content: 'perdón la demora' }] })
    await b.db.query(`delete from private.webhook_config where name = 'incoming_message'`)
    const { conversationId } = await b.ingest('¿hay alguien?')
    await b.db.query(
      `update public.messages set created_at = now() - interval '2 minutes' where conversation_id = $1`,
      [conversationId],
    )
    expect(await outgoing(b, conversationId)).toEqual([])
    const report = await runScheduled(b.env, b.deps)
    expect(report).toMatchObject({ woken: 1, errors: [] })
    await b.settle()
    expect(await outgoing(b, conversationId)).toEqual([
      expect.objectContaining({ author: 'ai', body: 'perdón la demora' }),
    ])
    const again = await runScheduled(b.env, b.deps)
    expect(again.woken).toBe(0)
  })
})
