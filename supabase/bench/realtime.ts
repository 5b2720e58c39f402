/**
 * Realtime delivery latency and throughput of the local stand-in, measured end to end: a write
 * in SQL → the realtime module → an unmodified supabase-js client's callback, every client a
 * distinct user of one tenant on its own WebSocket, RLS on. Two paths, as in Supabase's own
 * benchmarks (Supabase's docs, `realtime/benchmarks`): broadcast from the database (`realtime.send` on a private
 * channel) and postgres_changes (INSERT on an RLS table, authorized per subscriber).
 * Runs on PGlite and, when RELEVO_TEST_PG_URL is set, on a throw-away database of that server.
 * The clients run in this same process, so their work is counted in the latency.
 * Writes bench/results/realtime.json.
 */
import { randomUUID } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import type { SupabaseClient } from '@supabase/supabase-js'
import { startStack, type TestStack } from '../local/realtime/test-support.ts'
import { TENANT_A } from '../local/realtime/two-tenants.ts'
import { writeResult } from './report.ts'

const SUBSCRIBER_COUNTS = [1, 100]
const LATENCY_MESSAGES = Number(process.env.BENCH_REALTIME_MESSAGES ?? 200)
// 20 writes per second: below what postgres_changes with 100 RLS subscribers sustains here, so the
// percentiles measure delivery, not a growing queue (the burst numbers measure capacity).
const LATENCY_INTERVAL_MS = 50
const BURST_MESSAGES = Number(process.env.BENCH_REALTIME_BURST ?? 500)
const TOPIC = `tenant:${TENANT_A}`

type Path = 'broadcast_from_db' | 'postgres_changes'

interface Result {
  subscribers: number
  messages: number
  p50_ms: number
  p99_ms: number
  max_ms: number
  /** Messages written back to back, divided by the time until every subscriber had all of them. */
  burst_messages_per_s: number
  burst_deliveries_per_s: number
}

const now = () => performance.timeOrigin + performance.now()
const round = (ms: number) => Math.round(ms * 100) / 100

async function subscribers(stack: TestStack, count: number, path: Path, onMessage: (sentAt: number) => void) {
  const users = Array.from({ length: count }, () => randomUUID())
  await stack.db.query('insert into public.members (user_id, tenant_id) select unnest($1::uuid[]), $2', [
    users,
    TENANT_A,
  ])
  const clients: SupabaseClient[] = []
  await Promise.all(
    users.map(async (user) => {
      const supabase = await stack.client(await stack.tokenFor(user))
      clients.push(supabase)
      const channel =
        path === 'broadcast_from_db'
          ? supabase
              .channel(TOPIC, { config: { private: true } })
              .on('broadcast', { event: 'bench' }, ({ payload }) => onMessage(Number(payload.t)))
          : supabase
              .channel(`bench-${user}`)
              .on(
                'postgres_changes',
                { event: 'INSERT', schema: 'public', table: 'notes', filter: `tenant_id=eq.${TENANT_A}` },
                (change) => onMessage(Number((change.new as { body: string }).body)),
              )
      await new Promise<void>((resolve, reject) =>
        channel.subscribe((status, error) =>
          status === 'SUBSCRIBED' ? resolve() : reject(error ?? new Error(status)),
        ),
      )
    }),
  )
  return async () => {
    await Promise.all(clients.map((supabase) => supabase.removeAllChannels()))
    for (const supabase of clients) supabase.realtime.disconnect()
    await stack.db.query('delete from public.members where user_id = any($1::uuid[])', [users])
  }
}

function write(stack: TestStack, path: Path): Promise<unknown> {
  return path === 'broadcast_from_db'
    ? stack.db.query(`select realtime.send(jsonb_build_object('t', $1::float8), 'bench', $2, true)`, [
        now(),
        TOPIC,
      ])
    : stack.db.query('insert into public.notes (tenant_id, body) values ($1, $2)', [TENANT_A, String(now())])
}

async function waitFor(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function measure(stack: TestStack, path: Path, count: number): Promise<Result> {
  const latencies: number[] = []
  let received = 0
  const stop = await subscribers(stack, count, path, (sentAt) => {
    latencies.push(now() - sentAt)
    received++
  })
  try {
    for (let i = 0; i < LATENCY_MESSAGES; i++) {
      await write(stack, path)
      await new Promise((resolve) => setTimeout(resolve, LATENCY_INTERVAL_MS))
    }
    await waitFor(() => received >= LATENCY_MESSAGES * count, 120_000, `${path} latency deliveries`)
    const sorted = latencies.slice(0, LATENCY_MESSAGES * count).sort((a, b) => a - b)
    const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)

    received = 0
    const started = now()
    await Promise.all(Array.from({ length: BURST_MESSAGES }, () => write(stack, path)))
    await waitFor(() => received >= BURST_MESSAGES * count, 300_000, `${path} burst deliveries`)
    const seconds = (now() - started) / 1000
    return {
      subscribers: count,
      messages: LATENCY_MESSAGES,
      p50_ms: at(0.5),
      p99_ms: at(0.99),
      max_ms: at(1),
      burst_messages_per_s: Math.round(BURST_MESSAGES / seconds),
      burst_deliveries_per_s: Math.round((BURST_MESSAGES * count) / seconds),
    }
  } finally {
    await stop()
  }
}

async function benchBackend(url: string | undefined): Promise<Record<string, Result[]>> {
  const stack = await startStack({ database: url ? 'postgres' : 'pglite' })
  try {
    const results: Record<string, Result[]> = {}
    for (const path of ['broadcast_from_db', 'postgres_changes'] as const) {
      results[path] = []
      for (const count of SUBSCRIBER_COUNTS) {
        const result = await measure(stack, path, count)
        results[path].push(result)
        process.stdout.write(`  ${url ? 'postgres' : 'pglite'} ${path} ${JSON.stringify(result)}\n`)
      }
    }
    return results
  } finally {
    await stack.close()
  }
}

export async function runRealtimeBench(): Promise<void> {
  const pgUrl = process.env.RELEVO_TEST_PG_URL
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    client: '@supabase/supabase-js realtime over ws on 127.0.0.1, one socket and one user per subscriber',
    latency_messages: LATENCY_MESSAGES,
    latency_interval_ms: LATENCY_INTERVAL_MS,
    burst_messages: BURST_MESSAGES,
    // The machine is shared: a load average above the core count means the numbers are pessimistic.
    cpus: cpus().length,
    load_average_at_start: loadavg().map((load) => Math.round(load * 10) / 10),
    backends: {} as Record<string, Record<string, Result[]>>,
  }
  report.backends.pglite = await benchBackend(undefined)
  if (pgUrl) report.backends.postgres = await benchBackend(pgUrl)
  await writeResult('realtime', report)
  process.stdout.write('  wrote bench/results/realtime.json\n')
}

if (import.meta.url === `file://${process.argv[1]}`) await runRealtimeBench()
