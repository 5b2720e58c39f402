/**
 * Connector benchmark → bench/results/connector.json:
 * 1. ingest, simulator → connector (batched) → stand-in → SQL (real Postgres when available): the
 *    throughput when customers write faster than it keeps up, and the delivered → stored latency
 *    at the target rate of 1,000 messages/s;
 * 2. queued → sent latency with polling off (every send is pushed by realtime);
 * 3. idle RSS of the real connector process (src/main.ts) on the simulator transport, and its SIGTERM exit;
 * 4. Chromium RSS/PSS while whatsapp-web.js is starting (page load held open by a silent proxy).
 * For scale, `sqlOneTransactionPerMessage` calls ingest_message straight on the database, one
 * transaction per message and no HTTP, at the same concurrency: the ceiling of ingesting one
 * message per request, which the connector's batches (ingest_messages) go past.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnConnector } from '@relevo/testing/connector-process'
import { waitFor } from '@relevo/testing/wait-for'
import pino from 'pino'
import { SupabaseStore } from '../src/store/supabase-store.ts'
import { channelId, startHarness } from '../src/testing/harness.ts'
import { WhatsAppWebTransport } from '../src/whatsapp/whatsapp-web.ts'
import { type BenchBackend, startBenchBackend } from './backend.ts'
import { percentile, processesMemoryMiB, processMemoryMiB } from './memory.ts'
import { machine, round, writeResults } from './report.ts'

const N = Number(process.env.BENCH_MESSAGES ?? 5000)
const SENDS = Number(process.env.BENCH_SENDS ?? 50)
const CHATS = 50
const RATE = Number(process.env.BENCH_RATE ?? 1000)
const RATE_SECONDS = 10
const RATE_RUNS = Number(process.env.BENCH_RATE_RUNS ?? 3)

function benchStore(backend: BenchBackend, workerId: string): SupabaseStore {
  return new SupabaseStore({
    url: backend.url,
    credentials: { kind: 'service_role', serviceRoleKey: backend.keys.serviceRoleKey },
    channelId,
    workerId,
    logger: pino({ level: 'silent' }),
  })
}

/** Records, for each stored message, the time since the customer sent it. */
function timed(store: SupabaseStore, sentAt: Map<string, number>, latencies: number[]): SupabaseStore {
  const ingest = store.ingestMessage.bind(store)
  store.ingestMessage = async (input) => {
    const result = await ingest(input)
    const t = sentAt.get(input.body)
    if (t !== undefined) latencies.push(performance.now() - t)
    return result
  }
  return store
}

const customerPhone = (i: number) => `52155${String(i % CHATS).padStart(8, '0')}`

/** How fast the connector stores messages when customers write faster than it can keep up. */
async function ingestThroughput(backend: BenchBackend) {
  const h = await startHarness(benchStore(backend, 'bench-ingest'), { pollMs: 60_000 })
  const t0 = performance.now()
  // Customers write at the same time: keep several deliveries in flight, so the driver's own
  // HTTP round trip (about 2 ms) does not cap the measured rate.
  let next = 0
  const customer = async () => {
    for (let i = next++; i < N; i = next++) {
      await h.post('/simulator/messages', { from: customerPhone(i), body: `mensaje ${i}` })
    }
  }
  await Promise.all(Array.from({ length: 16 }, customer))
  await h.connector.ingest.idle()
  const seconds = (performance.now() - t0) / 1000
  await h.stop()
  await rm(h.dir, { recursive: true, force: true })
  return {
    messages: N,
    chats: CHATS,
    seconds: round(seconds),
    messagesPerSecond: round(N / seconds),
    ingested: h.connector.health().ingested,
  }
}

/**
 * Latency at the target rate: customers write RATE messages/s in all, paced by the clock;
 * measured from the simulator's delivery to the connector to the committed row. The tail
 * of one 10-second run swings with whatever else the shared host does, so the phase runs
 * RATE_RUNS times (fresh connector each) and reports every run and the median run's p99.
 */
async function ingestLatencyAtRate(backend: BenchBackend) {
  const runs: RateRun[] = []
  for (let run = 0; run < RATE_RUNS; run++) runs.push(await oneRunAtRate(backend, run))
  const p99s = runs.map((r) => r.deliveredToStoredMs.p99).sort((a, b) => a - b)
  return {
    offeredPerSecond: RATE,
    chats: CHATS,
    messagesPerRun: RATE * RATE_SECONDS,
    medianP99Ms: p99s[Math.floor(p99s.length / 2)],
    runs,
  }
}

interface RateRun {
  storedPerSecond: number
  deliveredToStoredMs: { p50: number; p99: number; max: number }
}

async function oneRunAtRate(backend: BenchBackend, run: number): Promise<RateRun> {
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  const h = await startHarness(timed(benchStore(backend, `bench-rate-${run}`), sentAt, latencies), {
    pollMs: 60_000,
  })
  const total = RATE * RATE_SECONDS
  const t0 = performance.now()
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * RATE) / 1000))
    const posts: Array<Promise<Response>> = []
    for (; sent < due; sent++) {
      const body = `ritmo ${run} ${sent}`
      sentAt.set(body, performance.now())
      posts.push(h.post('/simulator/messages', { from: customerPhone(sent), body }))
    }
    await Promise.all(posts)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  await h.connector.ingest.idle()
  const seconds = (performance.now() - t0) / 1000
  await h.stop()
  await rm(h.dir, { recursive: true, force: true })
  const sorted = latencies.sort((a, b) => a - b)
  return {
    storedPerSecond: round(total / seconds),
    deliveredToStoredMs: {
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
    },
  }
}

async function sqlOneTransactionPerMessage(backend: BenchBackend) {
  const n = 1000
  const t = performance.now()
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      await backend.db.query(`select public.ingest_message($1, $2, $3, false, 'hola')`, [
        channelId,
        `false_sql_${i}`,
        `52177${String(i % 50).padStart(8, '0')}@c.us`,
      ])
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return { messages: n, concurrency: 16, messagesPerSecond: round(n / ((performance.now() - t) / 1000)) }
}

async function queuedToSent(backend: BenchBackend) {
  const h = await startHarness(benchStore(backend, 'bench-send'), { pollMs: 60_000 })
  const service = (await import('@supabase/supabase-js')).createClient(
    backend.url,
    backend.keys.serviceRoleKey,
    {
      auth: { persistSession: false },
    },
  )
  const latencies: number[] = []
  for (let i = 0; i < SENDS; i++) {
    const phone = `52166${String(i).padStart(8, '0')}`
    await h.post('/simulator/messages', { from: phone, body: 'hola' })
    await h.connector.ingest.idle()
    const { rows } = await backend.db.query<{ id: string }>(
      `select m.id from public.messages m join public.conversations c on c.id = m.conversation_id where c.wa_chat_id = $1`,
      [`${phone}@c.us`],
    )
    const before = h.sim.outbox().length
    const t = performance.now()
    const { error } = await service.rpc('enqueue_ai_reply', {
      p_trigger_message_id: rows[0]?.id ?? '',
      p_body: 'respuesta',
    })
    if (error) throw error
    await waitFor(() => h.sim.outbox().length > before, 'delivery')
    latencies.push(performance.now() - t)
  }
  await h.stop()
  await rm(h.dir, { recursive: true, force: true })
  const sorted = latencies.sort((a, b) => a - b)
  return {
    sends: SENDS,
    pollingMs: 60_000,
    latencyMs: { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)) },
  }
}

async function connectorProcessRss(backend: BenchBackend) {
  const dataDir = await mkdtemp(join(tmpdir(), 'relevo-bench-proc-'))
  const { child } = await spawnConnector({
    supabaseUrl: backend.url,
    auth: { serviceRoleKey: backend.keys.serviceRoleKey },
    dataDir,
    logLevel: 'warn',
  })
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const idle = await processMemoryMiB(child.pid ?? 0)
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const t = performance.now()
  child.kill('SIGTERM')
  const code = await exit
  await rm(dataDir, { recursive: true, force: true })
  return {
    idleRssMiB: round(idle.rssMiB),
    idlePssMiB: round(idle.pssMiB),
    sigtermExitCode: code,
    sigtermMs: Math.round(performance.now() - t),
  }
}

async function chromiumMemory() {
  // A proxy that accepts and never answers keeps page.goto (and so Chromium) waiting.
  const held: Socket[] = []
  const proxy = createServer((socket) => held.push(socket))
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const dir = await mkdtemp(join(tmpdir(), 'relevo-bench-chromium-'))
  const transport = new WhatsAppWebTransport({
    sessionPath: join(dir, 'session'),
    chromiumPath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    cachePath: join(dir, 'cache'),
    webVersion: null,
    webVersionUrl: null,
    groupsEnabled: false,
    logger: pino({ level: 'silent' }),
    startTimeoutMs: 8000,
    extraChromiumArgs: [`--proxy-server=http://127.0.0.1:${(proxy.address() as { port: number }).port}`],
  })
  const starting = transport.start().catch((error: Error) => error.message)
  await new Promise((resolve) => setTimeout(resolve, 5000))
  const during = await processesMemoryMiB(dir)
  const startError = await starting
  await new Promise((resolve) => setTimeout(resolve, 500))
  const after = await processesMemoryMiB(dir)
  for (const socket of held) socket.destroy()
  proxy.close()
  await rm(dir, { recursive: true, force: true })
  return {
    note: 'whatsapp-web.js starting, page load held open; real WhatsApp Web adds to this (whatsapp-web.js users report 500-750 MB per client)',
    processes: during.procs,
    rssSumMiB: round(during.rssMiB),
    pssSumMiB: round(during.pssMiB),
    startError,
    processesLeftAfterFailure: after.procs,
  }
}

const backend = await startBenchBackend()
try {
  const results = {
    at: new Date().toISOString(),
    machine: machine(),
    backend: backend.kind,
    ingest: await ingestThroughput(backend),
    ingestAtRate: await ingestLatencyAtRate(backend),
    sqlOneTransactionPerMessage: await sqlOneTransactionPerMessage(backend),
    queuedToSent: await queuedToSent(backend),
    connectorProcess: await connectorProcessRss(backend),
    chromium: process.env.BENCH_SKIP_CHROMIUM ? null : await chromiumMemory(),
  }
  await writeResults('connector.json', results)
} finally {
  await backend.close()
}
