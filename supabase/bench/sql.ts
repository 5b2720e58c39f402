/**
 * SQL throughput of the delivery rules, called as the connector calls them (service role, one
 * transaction per call): ingest_message and the outbox loop claim_outbox + mark_sent; plus the
 * dashboard's inbox page as an agent under RLS. Runs on PGlite and, when RELEVO_TEST_PG_URL is
 * set, on a throw-away Postgres database, where the claim loop also runs with several workers on
 * separate connections. Writes bench/results/sql.json.
 */
import os from 'node:os'
import type { Database } from '../src/db/index.ts'
import { createTenant, ingest } from '../tests/support/fixtures.ts'
import { asService, asUser } from '../tests/support/roles.ts'
import { backends } from '../tests/support/test-database.ts'
import { writeResult } from './report.ts'

const MESSAGES = Number(process.env.BENCH_ITERATIONS ?? 500)
const CLAIM_BATCH = 10

interface Result {
  backend: string
  scenario: string
  workers: number
  operations: number
  seconds: number
  per_second: number
}

async function timed(
  operations: number,
  fn: () => Promise<void>,
): Promise<{ seconds: number; per_second: number }> {
  const start = performance.now()
  await fn()
  const seconds = (performance.now() - start) / 1000
  return { seconds: Number(seconds.toFixed(3)), per_second: Math.round(operations / seconds) }
}

/** Queues `count` agent replies spread over a few chats, so claims have work. */
async function queueReplies(db: Database, channelId: string, agentId: string, count: number): Promise<void> {
  const chats = await Promise.all(Array.from({ length: 10 }, () => ingest(db, channelId)))
  await asUser(db, agentId, async (tx) => {
    for (let i = 0; i < count; i += 1) {
      await tx.query('select public.send_agent_message($1, $2)', [
        chats[i % chats.length]?.conversation_id,
        `r${i}`,
      ])
    }
  })
}

/** Workers claim batches and record a WhatsApp id for each message until the outbox is empty. */
async function drainOutbox(db: Database, channelId: string, workers: number): Promise<number> {
  let sent = 0
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (;;) {
        const claimed = await asService(db, (tx) =>
          tx.query<{ id: string }>('select id from public.claim_outbox($1, $2, $3)', [
            channelId,
            `w${w}`,
            CLAIM_BATCH,
          ]),
        )
        if (claimed.rows.length === 0) return
        for (const message of claimed.rows) {
          await asService(db, (tx) =>
            tx.query('select public.mark_sent($1, $2)', [message.id, `wa-${message.id}`]),
          )
          sent += 1
        }
      }
    }),
  )
  return sent
}

/** The dashboard's inbox query as an agent under RLS, with 20 000 chats in each of two tenants. */
async function benchInbox(db: Database, backend: string): Promise<Result> {
  const mine = await createTenant(db, 'Inbox mine')
  const other = await createTenant(db, 'Inbox other')
  for (const t of [mine, other]) {
    await db.query(
      `insert into public.conversations (tenant_id, channel_id, wa_chat_id, last_message_at)
       select $1, $2, 'chat-' || i, now() - i * interval '1 second' from generate_series(1, 20000) i`,
      [t.tenantId, t.channelId],
    )
  }
  await db.query('analyze public.conversations')
  const queries = 200
  const timing = await timed(queries, async () => {
    for (let i = 0; i < queries; i += 1) {
      await asUser(db, mine.agentId, (tx) =>
        tx.query('select * from public.conversations order by last_message_at desc nulls last limit 50'),
      )
    }
  })
  return { backend, scenario: 'inbox page (50 of 20k, RLS)', workers: 1, operations: queries, ...timing }
}

async function benchBackend(db: Database, backend: string): Promise<Result[]> {
  const results: Result[] = []
  const t = await createTenant(db, `Bench ${backend}`)
  const ingestTiming = await timed(MESSAGES, async () => {
    for (let i = 0; i < MESSAGES; i += 1) {
      await ingest(db, t.channelId, { chat: `bench-${i % 50}@c.us`, body: `mensaje ${i}` })
    }
  })
  results.push({ backend, scenario: 'ingest_message', workers: 1, operations: MESSAGES, ...ingestTiming })

  const workerCounts = db.kind === 'postgres' ? [1, 4] : [1]
  for (const workers of workerCounts) {
    await queueReplies(db, t.channelId, t.agentId, MESSAGES)
    let sent = 0
    const timing = await timed(MESSAGES, async () => {
      sent = await drainOutbox(db, t.channelId, workers)
    })
    if (sent !== MESSAGES) throw new Error(`outbox drain sent ${sent} of ${MESSAGES}: a claim raced`)
    results.push({ backend, scenario: 'claim_outbox + mark_sent', workers, operations: MESSAGES, ...timing })
  }
  results.push(await benchInbox(db, backend))
  return results
}

export async function runSqlBench(): Promise<void> {
  const results: Result[] = []
  for (const backend of backends) {
    const db = await backend.open()
    try {
      results.push(...(await benchBackend(db, backend.kind)))
    } finally {
      await db.close()
    }
  }
  const report = {
    generated_at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, platform: process.platform },
    messages: MESSAGES,
    results,
  }
  await writeResult('sql', report)
  for (const r of results) {
    console.log(`${r.backend.padEnd(8)} ${r.scenario.padEnd(28)} workers=${r.workers}  ${r.per_second}/s`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runSqlBench()
