import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { monitoringOpenApi } from '../src/routes/monitoring-openapi.ts'
import { postRpc } from './agent-rpc.ts'
import { answeredChatPerFile, OPS_TOKEN, TENANT_ID } from './backend.ts'

// The committed OpenAPI document is what the routes answer: it is current with the zod schemas,
// and real answers of every action (admin and ops) validate against the file itself.

const committed = readFileSync(new URL('../openapi/monitoring.json', import.meta.url), 'utf8')
// zod resolves references inside $defs only; the document keeps them under components/schemas.
const defs = (
  JSON.parse(committed.replaceAll('#/components/schemas/', '#/$defs/')) as {
    components: { schemas: Record<string, z.core.JSONSchema.JSONSchema> }
  }
).components.schemas
const answerOf = (name: string) => z.fromJSONSchema({ $ref: `#/$defs/${name}`, $defs: defs })

const backend = answeredChatPerFile()

async function get(path: string, token: string) {
  const response = await fetch(`${backend().functions.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return { status: response.status, body: (await response.json()) as unknown }
}

function expectValid(name: string, body: unknown) {
  const parsed = answerOf(name).safeParse(body)
  expect(parsed.error?.issues ?? [], `${name}: ${JSON.stringify(body).slice(0, 400)}`).toEqual([])
}

describe('the monitoring API document', () => {
  it('is up to date with the schemas (pnpm --filter @relevo/functions gen:openapi) and served', async () => {
    expect(JSON.parse(committed)).toEqual(monitoringOpenApi())
    const served = await fetch(`${backend().functions.url}/api/openapi.json`)
    expect(await served.json()).toEqual(JSON.parse(committed))
  })

  it.each([
    ['/api/status', 'StatusAnswer'],
    ['/api/whatsapp-hybrid?action=status', 'StatusAnswer'],
    ['/api/conversations?limit=10', 'ConversationsAnswer'],
    ['/api/whatsapp-hybrid?action=conversations&mode=ai', 'ConversationsAnswer'],
    ['/api/agents', 'AgentsAnswer'],
    ['/api/whatsapp-hybrid?action=agents', 'AgentsAnswer'],
  ])('%s answers a %s to an admin and to ops', async (path, name) => {
    for (const token of [await backend().signIn('admin@demo.relevo.test'), OPS_TOKEN]) {
      const { status, body } = await get(path, token)
      expect(status).toBe(200)
      expectValid(name, body)
    }
  })

  it('documents the errors too', async () => {
    const { status, body } = await get('/api/whatsapp-hybrid?action=nope', OPS_TOKEN)
    expect(status).toBe(400)
    expectValid('Error', body)
    expectValid('Error', (await get('/api/status', 'not-a-token')).body)
  })

  it('status reports the AI runs and the outbox of the tenant', async () => {
    const { body } = await get(`/api/whatsapp-hybrid?action=status&tenant_id=${TENANT_ID}`, OPS_TOKEN)
    expect(body).toMatchObject({
      ai: { deployment_key: true, runs_24h: { replied: 1, failed: 0 }, last_run_at: expect.any(String) },
      outbox: { failed_24h: 0 },
    })
  })
})

describe('?action=agents: who is online', () => {
  const ANA = '00000000-0000-4000-8000-000000001002'
  /** What an open desk does every 20 s (dashboard/src/lib/realtime/presence-heartbeat.ts). */
  async function deskBeat(token: string) {
    const response = await postRpc(backend(), token, 'touch_presence')
    expect(response.status).toBe(200)
  }
  async function anaOnline(): Promise<boolean | undefined> {
    const { body } = await get(
      '/api/whatsapp-hybrid?action=agents',
      await backend().signIn('admin@demo.relevo.test'),
    )
    return (body as { agents: { user_id: string; online: boolean }[] }).agents.find((a) => a.user_id === ANA)
      ?.online
  }
  /** SQL time control: the desk was closed `seconds` ago (its last beat moves back by that much). */
  const closedAgo = (seconds: number) =>
    backend().db.query(
      `update public.agents set last_seen_at = now() - make_interval(secs => $2) where user_id = $1`,
      [ANA, seconds],
    )

  it('is online while the desk beats, still within a minute of closing it, and offline after', async () => {
    expect(await anaOnline()).toBe(false)
    await deskBeat(await backend().signIn('ana@demo.relevo.test'))
    expect(await anaOnline()).toBe(true)
    await closedAgo(30)
    expect(await anaOnline()).toBe(true)
    await closedAgo(61)
    expect(await anaOnline()).toBe(false)
  })

  it('a deactivated agent is offline whatever the last beat', async () => {
    await deskBeat(await backend().signIn('ana@demo.relevo.test'))
    await backend().db.query('update public.agents set active = false where user_id = $1', [ANA])
    try {
      expect(await anaOnline()).toBe(false)
    } finally {
      await backend().db.query('update public.agents set active = true where user_id = $1', [ANA])
    }
  })
})
