/**
 * The auto-assignment decision (issue 18: < 5 ms in SQL; ADR 095), timed per statement two ways:
 * `decision` is private.next_assignee (which online agent under capacity is next), `assign` is
 * private.auto_assign on a waiting chat — the tenant lock, the decision, the update, the turn and
 * the assign event with its triggers (feed, search) — as the handoff and the sweeper run it.
 *
 * Desk: AGENTS online agents (5, a five-agent store, and 50) of one tenant holding HELD_PER_AGENT
 * open human chats each (capacity 100), beside CLOSED closed chats, and a second tenant of the same size that
 * the decision must skip. Then WAITING chats wait in the queue and are assigned one by one.
 * PostgreSQL when RELEVO_TEST_PG_URL is set, PGlite otherwise (the engine is in the report).
 * Writes bench/results/assignment.json.
 */
import { randomUUID } from 'node:crypto'
import { openThrowawayDatabase } from '../src/db/index.ts'
import type { Database } from '../src/db/types.ts'
import { createTenant, type TenantFixture } from '../tests/support/fixtures.ts'
import { machine, spread, writeResult } from './report.ts'

const CLOSED = Number(process.env.ASSIGN_CLOSED ?? 20_000)
/** Open chats each agent holds at the start: half of the capacity (100), so the waiting ones fit. */
const HELD_PER_AGENT = 50
const WAITING = 200
const DESKS = [5, 50]

async function addOnlineAgents(db: Database, t: TenantFixture, n: number): Promise<void> {
  await db.query(
    `with ids as (select gen_random_uuid() as id from generate_series(1, $2)),
     users as (insert into auth.users (id, email) select id, id || '@bench.relevo.test' from ids returning id, email)
     insert into public.agents (user_id, tenant_id, display_name, email, last_seen_at)
     select id, $1, 'Agent ' || left(id::text, 4), email, now() from users`,
    [t.tenantId, n],
  )
}

/** Chats in every state: closed, held by the agents, and waiting (returned, for the timing). */
async function loadDesk(db: Database, t: TenantFixture, agents: number): Promise<string[]> {
  await addOnlineAgents(db, t, agents)
  await db.query('update public.tenants set agent_capacity = 100 where id = $1', [t.tenantId])
  await db.query(
    `insert into public.conversations (tenant_id, channel_id, wa_chat_id, status, mode, assigned_agent_id)
     select $1, $2, 'closed-' || i, 'closed', 'human', null from generate_series(1, $3) i`,
    [t.tenantId, t.channelId, CLOSED],
  )
  await db.query(
    `with a as (select array_agg(user_id) ids from public.agents where tenant_id = $1)
     insert into public.conversations (tenant_id, channel_id, wa_chat_id, mode, assigned_agent_id)
     select $1, $2, 'held-' || i, 'human', a.ids[1 + i % cardinality(a.ids)] from a, generate_series(1, $3) i`,
    [t.tenantId, t.channelId, HELD_PER_AGENT * agents],
  )
  const { rows } = await db.query<{ id: string }>(
    `insert into public.conversations (tenant_id, channel_id, wa_chat_id, mode)
     select $1, $2, 'waiting-' || i, 'human' from generate_series(1, $3) i returning id`,
    [t.tenantId, t.channelId, WAITING],
  )
  return rows.map((r) => r.id)
}

async function timeDecisions(db: Database, agents: number) {
  const mine = await createTenant(db, `Assignment bench ${agents} ${randomUUID()}`)
  const other = await createTenant(db, `Assignment bench other ${agents} ${randomUUID()}`)
  const waiting = await loadDesk(db, mine, agents)
  await loadDesk(db, other, agents)
  await db.query('analyze public.conversations')
  await db.query('analyze public.agents')
  const decisions: number[] = []
  for (let i = 0; i < WAITING; i += 1) {
    const started = performance.now()
    await db.query('select (private.next_assignee($1)).user_id', [mine.tenantId])
    decisions.push(performance.now() - started)
  }
  const times: number[] = []
  let assigned = 0
  for (const id of waiting) {
    const started = performance.now()
    const { rows } = await db.query<{ a: string | null }>(
      'select (private.auto_assign(c)).assigned_agent_id as a from public.conversations c where c.id = $1',
      [id],
    )
    times.push(performance.now() - started)
    if (rows[0]?.a) assigned += 1
  }
  if (assigned !== waiting.length)
    throw new Error(`assigned ${assigned} of ${waiting.length}: the desk had seats`)
  return { agents, runs: times.length, decision_ms: spread(decisions, 3), assign_ms: spread(times, 3) }
}

export async function runAssignmentBench(): Promise<void> {
  const kind = process.env.RELEVO_TEST_PG_URL ? 'postgres' : 'pglite'
  const db = await openThrowawayDatabase(kind, { schema: 'relevo', seed: false })
  try {
    const desks = []
    for (const agents of DESKS) desks.push(await timeDecisions(db, agents))
    const report = {
      generated_at: new Date().toISOString(),
      machine: await machine(db, kind),
      chats_per_tenant: { closed: CLOSED, held_per_agent: HELD_PER_AGENT, waiting: WAITING },
      desks,
    }
    await writeResult('assignment', report)
    for (const d of desks) {
      console.log(
        `${d.agents} agents (${kind}): decision p50 ${d.decision_ms.p50} ms p95 ${d.decision_ms.p95} ms; ` +
          `auto_assign p50 ${d.assign_ms.p50} ms p95 ${d.assign_ms.p95} ms`,
      )
    }
  } finally {
    await db.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runAssignmentBench()
