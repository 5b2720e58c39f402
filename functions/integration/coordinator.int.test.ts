import {
  coordinatorAnswer,
  coordinatorMappingFor,
  createCoordinatorDouble,
} from '@relevo/testing/coordinator-double'
import { type Served, serve } from '@relevo/testing/serve'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postRpc } from './agent-rpc.ts'
import { type Backend, startBackend, TENANT_ID } from './backend.ts'

// The store's coordinator as it is (ADR 115): a double that speaks its own contract
// ({"input": …} → {"data": {"answer", "escalate", "why"}}, bearer token), reached through the
// tenant's mapping by the AI pipeline and by the Settings screen's Test.
const TOKEN = 'coord-token-1'
const mapping = coordinatorMappingFor(
  '{"input": {"text": "{{message}}", "phone": "{{customer_phone}}", "name": "{{customer_name}}", "history": {{recent_messages_json}}}}',
)

let b: Backend
let coordinator: ReturnType<typeof createCoordinatorDouble>
let served: Served
let adminToken: string

beforeAll(async () => {
  coordinator = createCoordinatorDouble({ token: TOKEN })
  served = await serve(coordinator.handle)
  b = await startBackend({ env: { RELEVO_ALLOW_PRIVATE_URLS: '1' } })
  await b.db.query(`select set_config('relevo.allow_private_urls', 'on', false)`)
  await b.db.query(
    `update public.tenants set ai_provider = 'http', ai_http_url = $1, ai_http_mapping = $2 where id = $3`,
    [`${served.url}/api/workflows/sales-coordinator`, JSON.stringify(mapping), TENANT_ID],
  )
  adminToken = await b.signIn('admin@demo.relevo.test')
  const set = await postRpc(b, adminToken, 'set_tenant_secrets', { p_ai_http_header_secret: TOKEN })
  expect(set.status).toBeLessThan(300)
})

afterAll(async () => {
  await b?.close()
  await served?.close()
})

async function outgoing(conversationId: string) {
  const { rows } = await b.db.query<{ author: string; body: string }>(
    `select author, body from public.messages
     where conversation_id = $1 and direction = 'out' and not private order by created_at`,
    [conversationId],
  )
  return rows
}

const test = (body: unknown, token = adminToken) =>
  fetch(`${b.functions.url}/api/ai/coordinator/test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe("the store's coordinator through a mapping", () => {
  it('the AI answers with what the coordinator put at data.answer', async () => {
    const { conversationId } = await b.ingest('¿Tienen "tazas" azules?', {
      phone: '5215511112222',
      name: 'Eva',
    })
    await b.settle()
    expect(await outgoing(conversationId)).toEqual([
      { author: 'ai', body: coordinatorAnswer('¿Tienen "tazas" azules?') },
    ])
    const sent = coordinator.requests.at(-1)
    expect(sent?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`)
    expect(sent?.body.input).toMatchObject({
      text: '¿Tienen "tazas" azules?',
      phone: '5215511112222',
      name: 'Eva',
    })
    expect(sent?.body.input?.history).toEqual([
      expect.objectContaining({ author: 'customer', body: '¿Tienen "tazas" azules?' }),
    ])
    const { rows } = await b.db.query<{ outcome: string; provider: string }>(
      'select outcome, provider from public.ai_runs where conversation_id = $1',
      [conversationId],
    )
    expect(rows).toEqual([{ outcome: 'replied', provider: 'http' }])
  })

  it('hands the chat to a person when data.escalate is true, with data.why as the reason', async () => {
    const { conversationId } = await b.ingest('Quiero un reembolso', { phone: '5215533334444' })
    await b.settle()
    const { rows } = await b.db.query<{ mode: string; attention_reason: string }>(
      'select mode, attention_reason from public.conversations where id = $1',
      [conversationId],
    )
    expect(rows[0]?.mode).toBe('human')
    const run = await b.db.query<{ outcome: string; reason: string }>(
      'select outcome, reason from public.ai_runs where conversation_id = $1',
      [conversationId],
    )
    expect(run.rows[0]).toEqual({ outcome: 'handoff', reason: 'http: refund request' })
  })

  it('Test sends the sample through the saved mapping and answers the mapped reply (never a secret)', async () => {
    const response = await test({})
    expect(response.status).toBe(200)
    const body = (await response.json()) as {
      ok: boolean
      decision: unknown
      sent: { input: { text: string } }
    }
    expect(body).toMatchObject({
      ok: true,
      decision: { kind: 'reply', text: coordinatorAnswer(body.sent.input.text) },
    })
    expect(JSON.stringify(body)).not.toContain(TOKEN)
  })

  it('Test of an unsaved mapping names the path that is missing from the answer', async () => {
    const response = await test({ mapping: { ...mapping, reply_path: 'result.reply', handoff_path: null } })
    expect(await response.json()).toMatchObject({
      ok: false,
      code: 'provider_bad_answer',
      message: 'HTTP provider answer: nothing is at "result.reply"',
      hint: expect.stringContaining('top-level keys: data'),
    })
  })

  it("Test reports the coordinator's refusal by its status, and the v1 contract's missing secret", async () => {
    const plain = await test({ mapping: { ...mapping, headers: { Authorization: 'Bearer wrong' } } })
    expect(await plain.json()).toMatchObject({ ok: false, code: 'provider_http_401' })
    const v1 = await test({ mapping: null })
    expect(v1.status).toBe(409)
    expect(await v1.json()).toMatchObject({ code: 'coordinator_not_configured' })
  })

  it('Test refuses a mapping that does not validate, and an agent who is not an admin', async () => {
    const bad = await test({ mapping: { ...mapping, body: '{"text": {{nope}}}' } })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'invalid_coordinator_test' })
    const agent = await test({}, await b.signIn('ana@demo.relevo.test'))
    expect(agent.status).toBe(403)
  })
})
