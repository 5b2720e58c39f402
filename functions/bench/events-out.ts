/**
 * Benchmark (issue 20): change committed → event delivered to the store's endpoint, under a burst
 * of 1,000 incoming messages (50 chats × 20, 20 ingests in flight). The real chain: ingest_message
 * through the local Supabase stand-in (PGlite) writes the event and its delivery in its
 * transaction, the stand-in's database webhook wakes the functions app, whose endpoint deliverer
 * (the Durable Object's logic, in-process) POSTs each signed event to a receiver double on
 * loopback. The AI's own webhook is switched off, so only events out are measured.
 * Latency = arrival at the receiver − the moment ingest_message's answer (after its commit) came back.
 * Writes bench/results/events-out.json. Run: pnpm --filter @relevo/functions bench
 */
import { waitFor } from '@relevo/testing/wait-for'
import { startWebhookReceiver } from '@relevo/testing/webhook-receiver'
import { createClient } from '@supabase/supabase-js'
import { CHANNEL_ID, startBackend } from '../integration/backend.ts'
import { loadAverage1m, reportHeader, writeResult } from './report.ts'

const CHATS = 50
const PER_CHAT = 20
const IN_FLIGHT = 20

const backend = await startBackend({ env: { RELEVO_ALLOW_PRIVATE_URLS: '1' } })
await backend.db.query(`select set_config('relevo.allow_private_urls', 'on', false)`)
await backend.db.query(`delete from private.webhook_config where name = 'incoming_message'`)
const receiver = await startWebhookReceiver()
const token = await backend.signIn('admin@demo.relevo.test')
const admin = createClient(backend.standIn.url, backend.keys.anonKey, { accessToken: async () => token })
const created = await admin.rpc('create_webhook_endpoint', {
  p_url: `${receiver.url}/hook`,
  p_events: ['message_received'],
})
if (created.error) throw created.error

const committedAt = new Map<string, number>()
const work = Array.from({ length: CHATS * PER_CHAT }, (_, i) => ({
  chat: i % CHATS,
  n: Math.floor(i / CHATS),
}))
const loadBefore = loadAverage1m()
const started = performance.now()
// Each chat's messages are ingested one after another (as WhatsApp delivers a chat), chats in parallel.
const queues = Array.from({ length: CHATS }, (_, chat) => work.filter((w) => w.chat === chat))
let next = 0
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    for (let chat = next++; chat < CHATS; chat = next++) {
      for (const { n } of queues[chat] ?? []) {
        const body = `${chat}:${n}`
        const { error } = await backend.service.rpc('ingest_message', {
          p_channel_id: CHANNEL_ID,
          p_wa_message_id: `wamid.bench-${body}`,
          p_wa_chat_id: `52155${String(chat).padStart(8, '0')}@c.us`,
          p_from_me: false,
          p_body: body,
        })
        if (error) throw error
        committedAt.set(body, Date.now())
      }
    }
  }),
)
const ingestMs = performance.now() - started
await waitFor(() => receiver.delivered.length >= work.length, 'every delivery', 600_000)
await backend.settle()
const elapsedMs = performance.now() - started

const bodies = receiver.delivered.map((r) => (r.body.data.message as { body: string }).body)
const latencies = receiver.delivered
  .map(
    (r) => r.receivedAt - (committedAt.get((r.body.data.message as { body: string }).body) ?? r.receivedAt),
  )
  .sort((a, b) => a - b)
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
// Order as a receiver that drops repeats (same X-Relevo-Event-Id) sees it: first arrivals.
const firstArrivals = [...new Set(bodies)]
const outOfOrder = Array.from({ length: CHATS }, (_, chat) =>
  firstArrivals.filter((b) => b.startsWith(`${chat}:`)).map((b) => Number(b.split(':')[1])),
).filter((order) => order.some((n, i) => n !== i)).length
// A repeat is an attempt the deliverer counted as failed (no 2xx within 10 s) that the receiver had taken.
const { rows: retried } = await backend.db.query<{ n: number }>(
  'select count(*)::int as n from public.webhook_deliveries where attempts > 1',
)

const result = {
  ...reportHeader('events out: change committed → delivered to a local receiver', loadBefore),
  burst: {
    messages: work.length,
    chats: CHATS,
    ingests_in_flight: IN_FLIGHT,
    ingest_ms: Math.round(ingestMs),
  },
  latency_ms: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) },
  delivered_per_second: Number(((receiver.delivered.length / elapsedMs) * 1000).toFixed(1)),
  lost: work.length - new Set(bodies).size,
  duplicated: receiver.requests.length - new Set(receiver.requests.map((r) => r.eventId)).size,
  deliveries_with_retries: retried[0]?.n ?? 0,
  chats_out_of_order_first_arrivals: outOfOrder,
}
await writeResult('events-out', result)
console.log(JSON.stringify(result, null, 2))
await receiver.close()
await backend.close()
