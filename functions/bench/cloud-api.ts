/**
 * Benchmark of the WhatsApp Cloud API channel through the local stack (stand-in over PGlite, and
 * over PostgreSQL when RELEVO_TEST_PG_URL is set; the functions served over HTTP, the Graph API
 * double playing Meta):
 *  - inbound: a signed `messages` webhook POSTed → 200, which the Worker answers once the message
 *    is stored (ADR 120), so the request's latency is "received → stored";
 *  - outbound: a burst of queued messages to one number, sent by the channel's sender at the
 *    configured rate: achieved rate, lost and duplicated sends — through the local stack, and
 *    the sender alone over an in-memory outbox (its pacing without PGlite's throughput).
 * Writes bench/results/cloud-api.json. Run: pnpm --filter @relevo/functions bench:cloud-api
 */
import os from 'node:os'
import { DEMO_CLOUD_CHANNEL_ID } from '@relevo/testing/demo-seed'
import { createGraphApiDouble } from '@relevo/testing/graph-api-double'
import { waitFor } from '@relevo/testing/wait-for'
import { type Backend, startBackend } from '../integration/backend.ts'
import { graphApiFor } from '../src/adapters/graph-api.ts'
import { drain } from '../src/cloud-api/channel-sender.ts'
import { createLogger } from '../src/shared/logger.ts'
import { sleep } from '../src/shared/retry.ts'
import { doubleChannel, memoryOutbox } from '../src/testing/memory-outbox.ts'
import { writeResult } from './report.ts'

const CUSTOMER = '5215588887777'
/** The Graph API double's throughput limit in both runs: 80/s plus the 10 % the target allows. */
const GRAPH_LIMIT_PER_SECOND = 88

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1))
  return { n: samples.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) }
}

async function inbound(b: Backend, n: number) {
  const samples: number[] = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    const { status } = await b.graph.customerSends(CUSTOMER, 'Bench', 'text', { body: `bench ${i}` })
    samples.push(performance.now() - started)
    if (status !== 200) throw new Error(`webhook answered ${status}`)
  }
  const stored = await b.db.query<{ n: number }>(
    `select count(*)::int n from public.messages where channel_id = $1 and direction = 'in'`,
    [DEMO_CLOUD_CHANNEL_ID],
  )
  return { ...percentiles(samples), stored: stored.rows[0]?.n }
}

async function burst(b: Backend, count: number, rate: number) {
  await b.settle()
  await b.db.query('update public.cloud_api_channels set messages_per_second = $1 where channel_id = $2', [
    rate,
    DEMO_CLOUD_CHANNEL_ID,
  ])
  const conversation = await b.db.query<{ id: string }>(
    'select id from public.conversations where channel_id = $1',
    [DEMO_CLOUD_CHANNEL_ID],
  )
  b.graph.sent.length = 0
  const tag = `r${rate}-`
  await b.db.query(
    `insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status, next_attempt_at)
     select c.tenant_id, c.channel_id, c.id, 'out', 'agent', $2 || n, 'queued', now()
     from public.conversations c, generate_series(1, $3::int) n where c.id = $1`,
    [conversation.rows[0]?.id, tag, count],
  )
  await waitFor(
    async () => {
      const left = await b.db.query<{ n: number }>(
        `select count(*)::int n from public.messages where body like $1 and wa_message_id is null`,
        [`${tag}%`],
      )
      return left.rows[0]?.n === 0
    },
    'every burst message sent',
    600_000,
  )
  const mine = b.graph.sent.filter((m) => m.text?.startsWith(tag))
  const times = mine.map((m) => m.at).sort((x, y) => x - y)
  const seconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000
  const unique = new Set(mine.map((m) => m.text)).size
  const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))
  return {
    queued: count,
    configured_per_second: rate,
    achieved_per_second: Number(((mine.length - 1) / seconds).toFixed(1)),
    busiest_second: busiestSecond,
    sent: mine.length,
    lost: count - unique,
    duplicated: mine.length - unique,
    throttled_by_meta_double: b.graph.throttled,
  }
}

/**
 * The sender alone: the same drain() over an in-memory outbox (claim, mark_sent as plain map
 * updates) and the Graph API double in-process, so the figure is the pacing, not the database.
 */
async function senderOnly(count: number, rate: number) {
  const graph = createGraphApiDouble({ messagesPerSecond: GRAPH_LIMIT_PER_SECOND })
  const channel = doubleChannel(graph, rate)
  const outbox = memoryOutbox(channel, count)
  const graphFor = graphApiFor({ baseUrl: 'http://graph.double', version: 'v26.0', fetch: graph.fetch })
  const deps = {
    cloudStore: outbox.store,
    fileLink: async (path: string) => `https://files.test/${path}`,
    graphFor,
    logger: createLogger('silent'),
    now: Date.now,
    sleep,
  }
  while (outbox.left() > 0) await drain('ch', deps)
  const times = graph.sent.map((m) => m.at).sort((x, y) => x - y)
  const seconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000
  const unique = new Set(graph.sent.map((m) => m.text)).size
  return {
    queued: count,
    configured_per_second: rate,
    achieved_per_second: Number(((graph.sent.length - 1) / seconds).toFixed(1)),
    busiest_second: Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length)),
    sent: graph.sent.length,
    lost: count - unique,
    duplicated: graph.sent.length - unique,
    throttled_by_meta_double: graph.throttled,
  }
}

/** Inbound latency and the outbound bursts through the local stack over one database engine. */
async function localStack(database: 'pglite' | 'postgres') {
  const b = await startBackend({
    env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
    postgres: database === 'postgres',
    // As for the sender alone: Meta's 80/s with the 10 % the target allows. The pacer may start a
    // few extra sends in a second after a stall (pacer.ts); a double strict at 80/s throttles
    // those, and each throttled send comes back only after its 2 s backoff.
    graphMessagesPerSecond: GRAPH_LIMIT_PER_SECOND,
  })
  try {
    return {
      database,
      inbound_webhook_to_stored: await inbound(b, 200),
      outbound_burst: [await burst(b, 500, 80), await burst(b, 500, 20)],
    }
  } finally {
    await b.close()
  }
}

/** PGlite always; PostgreSQL too when RELEVO_TEST_PG_URL is set (RELEVO_BENCH_DATABASES narrows it). */
function databases(): Array<'pglite' | 'postgres'> {
  const all: Array<'pglite' | 'postgres'> = process.env.RELEVO_TEST_PG_URL
    ? ['pglite', 'postgres']
    : ['pglite']
  const only = process.env.RELEVO_BENCH_DATABASES?.split(',')
  return only ? all.filter((d) => only.includes(d)) : all
}

async function main() {
  const load = () => os.loadavg().map((l) => Number(l.toFixed(1)))
  const loadBefore = load()
  const sender = [await senderOnly(500, 80), await senderOnly(500, 20)]
  const stacks = []
  for (const database of databases()) stacks.push(await localStack(database))
  const results = {
    machine: { cpus: os.cpus().length, load_average_before: loadBefore, load_average_after: load() },
    sender_only_memory_outbox: sender,
    local_stack: stacks,
    at: new Date().toISOString(),
  }
  await writeResult('cloud-api', results)
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
}

await main()
