import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { waitFor } from '@relevo/testing/wait-for'
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@relevo/testing/webhook-receiver'
import { createClient } from '@supabase/supabase-js'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runScheduled } from '../src/app.ts'
import { type EventType, eventEnvelope } from '../src/events/event-schemas.ts'
import { type Backend, CHANNEL_ID, startBackend } from './backend.ts'

// Events out (issue 20) end to end in Node: the real SQL outbox through the stand-in, its
// database webhook into the functions app, the deliverer (the Durable Object's logic, in-process)
// POSTing to a receiver double.

type Verify = (rawBody: string, header: string | null, secret: string, nowSeconds?: number) => boolean
let verifyRelevoSignature: Verify

/** The block of docs/webhooks.md between the verify-snippet markers, run exactly as written. */
async function loadDocumentedSnippet(): Promise<Verify> {
  const doc = await readFile(new URL('../../docs/webhooks.md', import.meta.url), 'utf8')
  const block = /<!-- verify-snippet:start -->\n```ts\n([\s\S]*?)```\n<!-- verify-snippet:end -->/.exec(
    doc,
  )?.[1]
  if (!block) throw new Error('docs/webhooks.md lost its verify-snippet block')
  const file = join(await mkdtemp(join(tmpdir(), 'relevo-snippet-')), 'verify.ts')
  await writeFile(file, block)
  const module = (await import(pathToFileURL(file).href)) as { verifyRelevoSignature: Verify }
  return module.verifyRelevoSignature
}

let b: Backend | undefined
const receivers: WebhookReceiver[] = []
beforeAll(async () => {
  verifyRelevoSignature = await loadDocumentedSnippet()
})
afterEach(async () => {
  await b?.close()
  b = undefined
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})

async function start(): Promise<Backend> {
  b = await startBackend({ env: { RELEVO_ALLOW_PRIVATE_URLS: '1' } })
  // The receiver double listens on loopback: allowed on this private deployment (PGlite: one session).
  await b.db.query(`select set_config('relevo.allow_private_urls', 'on', false)`)
  return b
}

async function addEndpoint(backend: Backend, events: EventType[], active = true) {
  const receiver = await startWebhookReceiver()
  receivers.push(receiver)
  const token = await backend.signIn('admin@demo.relevo.test')
  const admin = createClient(backend.standIn.url, backend.keys.anonKey, { accessToken: async () => token })
  const { data, error } = await admin.rpc('create_webhook_endpoint', {
    p_url: `${receiver.url}/hook`,
    p_events: events,
  })
  if (error) throw error
  const created = data as { endpoint: { id: string }; secret: string }
  if (!active) {
    const paused = await admin.rpc('update_webhook_endpoint', {
      p_endpoint_id: created.endpoint.id,
      p_active: false,
    })
    if (paused.error) throw paused.error
  }
  return { receiver, endpointId: created.endpoint.id, secret: created.secret }
}

function expectValid(request: ReceivedRequest): void {
  const parsed = eventEnvelope(request.body.type as EventType).safeParse(request.body)
  expect(parsed.error?.issues ?? [], request.body.type).toEqual([])
}

/** What the connector does once WhatsApp took a queued message: claim it, record its WhatsApp id. */
async function connectorSends(backend: Backend): Promise<void> {
  const claimed = await backend.service.rpc('claim_outbox', { p_channel_id: CHANNEL_ID, p_worker: 'test' })
  for (const message of (claimed.data ?? []) as { id: string }[]) {
    await backend.service.rpc('mark_sent', {
      p_message_id: message.id,
      p_wa_message_id: `wamid.out-${message.id}`,
    })
  }
}

// Each test starts its own stand-in and functions app: minutes on a busy shared machine.
const SLOW = 300_000

describe('events out against the real SQL', () => {
  it(
    'delivers each event once, signed and valid against its schema; the documented check refuses forged and stale ones',
    async () => {
      const backend = await start()
      const { receiver, secret } = await addEndpoint(backend, ['message_received', 'message_sent'])
      await backend.ingest('Hola, ¿tienen envíos?')
      await backend.settle() // the AI (OpenAI double) queued its reply
      await connectorSends(backend)
      await waitFor(() => receiver.delivered.length >= 2, 'two deliveries', 120_000)
      await backend.settle()

      expect(receiver.delivered.map((r) => r.body.type)).toEqual(['message_received', 'message_sent'])
      expect(receiver.requests).toHaveLength(2)
      expect(receiver.delivered[1]?.body.data).toMatchObject({
        message: { author: 'ai', body: 'Hola, soy la IA' },
      })
      for (const request of receiver.delivered) {
        expectValid(request)
        expect(request.eventId).toBe(request.body.id)
        expect(verifyRelevoSignature(request.rawBody, request.signature, secret)).toBe(true)
      }
      const [first] = receiver.delivered
      if (!first) throw new Error('no delivery')
      const t = Number(/t=(\d+)/.exec(first.signature)?.[1])
      expect(verifyRelevoSignature(first.rawBody.replace('envíos', 'envios'), first.signature, secret)).toBe(
        false,
      )
      expect(verifyRelevoSignature(first.rawBody, first.signature, 'whsec_someone_else')).toBe(false)
      expect(
        verifyRelevoSignature(first.rawBody, first.signature.replace(/t=\d+/, `t=${t + 1}`), secret),
      ).toBe(false)
      expect(verifyRelevoSignature(first.rawBody, first.signature, secret, t + 301)).toBe(false)
      expect(verifyRelevoSignature(first.rawBody, first.signature, secret, t + 299)).toBe(true)
      expect(verifyRelevoSignature(first.rawBody, null, secret)).toBe(false)
    },
    SLOW,
  )

  it(
    'a receiver that fails three times then succeeds gets the event exactly once more, with the same id',
    async () => {
      const backend = await start()
      const { receiver, endpointId } = await addEndpoint(backend, ['message_received'])
      receiver.failEachEventTimes(3)
      await backend.ingest('hola')
      // The retries wait 5, 10 and 20 s in SQL; each wait is cut short here once the attempt failed.
      for (let failed = 1; failed <= 3; failed++) {
        await waitFor(() => receiver.requests.length >= failed, `attempt ${failed}`, 120_000)
        await backend.deliverers.idle()
        await backend.db.query(
          `update public.webhook_deliveries set next_attempt_at = now() where endpoint_id = $1 and status = 'pending'`,
          [endpointId],
        )
        await backend.deliverers.wake(endpointId)
      }
      await waitFor(() => receiver.delivered.length === 1, 'the delivery', 120_000)
      await backend.settle()
      expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 500, 200])
      expect(new Set(receiver.requests.map((r) => r.eventId)).size).toBe(1)
      const { rows } = await backend.db.query(
        'select status, attempts, last_status_code from public.webhook_deliveries where endpoint_id = $1',
        [endpointId],
      )
      expect(rows).toEqual([{ status: 'delivered', attempts: 4, last_status_code: 200 }])
    },
    SLOW,
  )

  it(
    'keeps each conversation in order under a burst, with nothing lost or duplicated',
    async () => {
      const backend = await start()
      const { receiver } = await addEndpoint(backend, ['message_received'])
      const chats = 5
      const perChat = 15
      await Promise.all(
        Array.from({ length: chats }, async (_, chat) => {
          for (let n = 0; n < perChat; n++)
            await backend.ingest(`${chat}:${n}`, { phone: `52155000000${chat}` })
        }),
      )
      await waitFor(() => receiver.delivered.length >= chats * perChat, 'every delivery', 180_000)
      await backend.settle()
      const bodies = receiver.delivered.map((r) => (r.body.data.message as { body: string }).body)
      expect(new Set(bodies).size).toBe(chats * perChat)
      expect(receiver.requests).toHaveLength(chats * perChat)
      for (let chat = 0; chat < chats; chat++) {
        const order = bodies
          .filter((body) => body.startsWith(`${chat}:`))
          .map((body) => Number(body.split(':')[1]))
        expect(order).toEqual(Array.from({ length: perChat }, (_, n) => n))
      }
    },
    SLOW,
  )

  it(
    'a paused endpoint gets nothing; the sweeper delivers what a lost wake-up left behind',
    async () => {
      const backend = await start()
      const paused = await addEndpoint(backend, ['message_received'], false)
      const active = await addEndpoint(backend, ['message_received'])
      await backend.db.query(`delete from private.webhook_config where name = 'event_delivery'`)
      await backend.ingest('hola')
      await backend.settle()
      expect(active.receiver.requests).toHaveLength(0) // no wake-up configured: waits for the sweeper
      expect(await runScheduled(backend.env, backend.deps)).toMatchObject({ endpointsWoken: 1, errors: [] })
      await waitFor(() => active.receiver.delivered.length === 1, 'the swept delivery', 120_000)
      await backend.settle()
      expect(paused.receiver.requests).toHaveLength(0)
    },
    SLOW,
  )

  it(
    'the sweeper prunes events older than 30 days with their deliveries, and keeps newer ones',
    async () => {
      const backend = await start()
      const endpoint = await addEndpoint(backend, ['message_received'])
      await backend.ingest('de hace un mes')
      await backend.ingest('de hoy')
      await waitFor(() => endpoint.receiver.delivered.length === 2, 'both deliveries', 120_000)
      await backend.db.query(
        `update public.webhook_events set created_at = now() - interval '31 days'
         where data -> 'message' ->> 'body' = 'de hace un mes'`,
      )
      expect(await runScheduled(backend.env, backend.deps)).toMatchObject({
        webhookEventsPruned: 1,
        errors: [],
      })
      const { rows } = await backend.db.query<{ body: string; deliveries: number }>(
        `select ev.data -> 'message' ->> 'body' as body,
           (select count(*)::int from public.webhook_deliveries d where d.event_id = ev.id) as deliveries
         from public.webhook_events ev`,
      )
      expect(rows).toEqual([{ body: 'de hoy', deliveries: 1 }])
    },
    SLOW,
  )
})
