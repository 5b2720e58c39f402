import { describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Events out, finished (issue 20, ADR 091): the pause by failures is an alert that lasts until an
// admin acts, endpoints and deliveries go live to the admins' topic only, and a month of history is kept.

async function createEndpoint(db: Database, t: TenantFixture): Promise<string> {
  return asUser(db, t.adminId, async (tx) => {
    const { r } = await row<{ r: { endpoint: { id: string } } }>(
      tx,
      `select public.create_webhook_endpoint('https://hooks.example.com/relevo', array['message_received']) as r`,
    )
    return r.endpoint.id
  })
}

/** One failed attempt after a day of failures: what pauses an endpoint (private.pause_failing_endpoint). */
async function failForADay(db: Database, t: TenantFixture, endpointId: string): Promise<void> {
  await ingest(db, t.channelId)
  await db.query(
    `update public.webhook_endpoints set failing_since = now() - interval '25 hours' where id = $1`,
    [endpointId],
  )
  await asService(db, async (tx) => {
    const { rows } = await tx.query<{ delivery_id: string }>(
      `select * from public.claim_webhook_deliveries($1, 'w1')`,
      [endpointId],
    )
    await tx.query(`select public.finish_webhook_attempt($1, 'w1', 10000, 503)`, [rows[0]?.delivery_id])
  })
}

const autoPausedAt = async (db: Database, endpointId: string) =>
  (
    await row<{ auto_paused_at: Date | null }>(
      db,
      'select auto_paused_at from public.webhook_endpoints where id = $1',
      [endpointId],
    )
  ).auto_paused_at

/** Broadcasts of a table's rows on a topic, as (operation, record status or active). */
async function broadcasts(db: Database, topic: string, table: string): Promise<string[]> {
  const { rows } = await db.query<{ op: string; state: string }>(
    `select event as op, coalesce(payload -> 'record' ->> 'status', payload -> 'record' ->> 'active') as state
     from realtime.messages where topic = $1 and payload ->> 'table' = $2 order by inserted_at, id`,
    [topic, table],
  )
  return rows.map((r) => `${r.op}:${r.state}`)
}

describe.each(backends)('events out: alerts, live screen and retention on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('a pause by failures is marked until an admin activates the endpoint again', async () => {
    const t = await createTenant(db)
    const endpointId = await createEndpoint(db, t)
    await failForADay(db, t, endpointId)
    expect(await autoPausedAt(db, endpointId)).toBeInstanceOf(Date)

    await asUser(db, t.adminId, (tx) =>
      tx.query('select public.update_webhook_endpoint($1, p_active => true)', [endpointId]),
    )
    expect(await autoPausedAt(db, endpointId)).toBeNull()
  })

  it("an admin's own pause, or pausing an auto-paused endpoint with their reason, is no alert", async () => {
    const t = await createTenant(db)
    const endpointId = await createEndpoint(db, t)
    const pause = () =>
      asUser(db, t.adminId, (tx) =>
        tx.query('select public.update_webhook_endpoint($1, p_active => false)', [endpointId]),
      )
    await pause()
    expect(await autoPausedAt(db, endpointId)).toBeNull()

    await asUser(db, t.adminId, (tx) =>
      tx.query('select public.update_webhook_endpoint($1, p_active => true)', [endpointId]),
    )
    await failForADay(db, t, endpointId)
    expect(await autoPausedAt(db, endpointId)).toBeInstanceOf(Date)
    await pause()
    expect(await autoPausedAt(db, endpointId)).toBeNull()
  })

  it("endpoint and delivery changes go to the admins' topic, never to the tenant feed", async () => {
    const t = await createTenant(db)
    const endpointId = await createEndpoint(db, t)
    await ingest(db, t.channelId)
    await asService(db, async (tx) => {
      const { rows } = await tx.query<{ delivery_id: string }>(
        `select * from public.claim_webhook_deliveries($1, 'w1')`,
        [endpointId],
      )
      await tx.query(`select public.finish_webhook_attempt($1, 'w1', 42, 200)`, [rows[0]?.delivery_id])
    })
    const admins = `admins:${t.tenantId}`
    expect(await broadcasts(db, admins, 'webhook_endpoints')).toEqual(['INSERT:true'])
    // Created, claimed (sending), delivered: numbering the event at commit is not a change to show.
    expect(await broadcasts(db, admins, 'webhook_deliveries')).toEqual([
      'INSERT:pending',
      'UPDATE:sending',
      'UPDATE:delivered',
    ])
    expect(await broadcasts(db, `tenant:${t.tenantId}`, 'webhook_deliveries')).toEqual([])
    expect(await broadcasts(db, `tenant:${t.tenantId}`, 'webhook_endpoints')).toEqual([])
  })

  it('the sweeper prunes events older than 30 days with their deliveries, whatever their outcome', async () => {
    const t = await createTenant(db)
    const endpointId = await createEndpoint(db, t)
    for (let i = 0; i < 4; i++) await ingest(db, t.channelId, { body: `m${i}` })
    const { rows: events } = await db.query<{ id: string }>(
      'select id from public.webhook_events where tenant_id = $1 order by seq',
      [t.tenantId],
    )
    const [oldDelivered, oldPending, oldSending, fresh] = events.map((e) => e.id)
    await db.query(
      `update public.webhook_events set created_at = now() - interval '31 days' where id = any($1::uuid[])`,
      [[oldDelivered, oldPending, oldSending]],
    )
    await db.query(`update public.webhook_deliveries set status = 'delivered' where event_id = $1`, [
      oldDelivered,
    ])
    // Being sent right now (a live lease): it waits for its outcome.
    await db.query(
      `update public.webhook_deliveries set status = 'sending', lease_expires_at = now() + interval '1 minute'
       where event_id = $1`,
      [oldSending],
    )
    const pruned = await asService(db, async (tx) =>
      row<{ n: number }>(tx, 'select public.prune_webhook_history(1000) as n'),
    )
    expect(pruned.n).toBe(2)
    const { rows: left } = await db.query<{ id: string }>(
      'select id from public.webhook_events where tenant_id = $1 order by seq',
      [t.tenantId],
    )
    expect(left.map((e) => e.id)).toEqual([oldSending, fresh])
    const deliveries = await row<{ n: number }>(
      db,
      'select count(*)::int as n from public.webhook_deliveries where endpoint_id = $1',
      [endpointId],
    )
    expect(deliveries.n).toBe(2)
  })

  it('only the service role prunes', async () => {
    const t = await createTenant(db)
    await expect(
      asUser(db, t.adminId, (tx) => tx.query('select public.prune_webhook_history(10)')),
    ).rejects.toThrow(/permission denied/)
  })
})
