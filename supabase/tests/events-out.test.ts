import { describe, expect, it } from 'vitest'
import { asRole } from '../local/as-role.ts'
import type { Database, Queryable } from '../src/db/index.ts'
import { CheckEnums } from '../types/enums.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Events out (issue 20, ADR 090): each change writes its event and deliveries in its own
// transaction, once; only the tenant's active endpoints that chose the type get a delivery.

// Every type an endpoint can choose: webhook_test is sent on request only, never subscribed to.
const ALL_EVENTS: string[] = CheckEnums['webhook_events.type'].filter((type) => type !== 'webhook_test')

interface Created {
  endpoint: { id: string; active: boolean; events: string[] }
  secret: string
}

async function createEndpoint(
  db: Database,
  t: TenantFixture,
  events = ALL_EVENTS,
  url = 'https://hooks.example.com/relevo',
): Promise<Created> {
  return asUser(db, t.adminId, async (tx) => {
    const { r } = await row<{ r: Created }>(tx, 'select public.create_webhook_endpoint($1, $2) as r', [
      url,
      events,
    ])
    return r
  })
}

/** Event types delivered to an endpoint, in delivery order (event_seq). */
async function deliveredTypes(db: Queryable, endpointId: string): Promise<string[]> {
  const { rows } = await db.query<{ event_type: string }>(
    'select event_type from public.webhook_deliveries where endpoint_id = $1 order by event_seq',
    [endpointId],
  )
  return rows.map((r) => r.event_type)
}

describe.each(backends)('events out on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('each event type fires once per change, in the order of the changes', async () => {
    const t = await createTenant(db)
    const { endpoint, secret } = await createEndpoint(db, t)
    expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/)

    const first = await ingest(db, t.channelId, { body: 'Hola' })
    expect(await deliveredTypes(db, endpoint.id)).toEqual(['message_received'])

    // The AI hands off: mode_changed, then handoff_requested; its fallback text is queued (not sent yet).
    await asService(db, (tx) =>
      tx.query('select public.ai_handoff($1, $2)', [first.conversation_id, 'asked']),
    )
    expect(await deliveredTypes(db, endpoint.id)).toEqual([
      'message_received',
      'mode_changed',
      'handoff_requested',
    ])

    // The connector sends the fallback (message_sent), WhatsApp acks it (message_status twice).
    const fallback = await row<{ id: string }>(
      db,
      `select id from public.messages where conversation_id = $1 and author = 'system' and not private`,
      [first.conversation_id],
    )
    await asService(db, async (tx) => {
      await tx.query(`select public.claim_outbox($1, 'w1')`, [t.channelId])
      await tx.query(`select public.mark_sent($1, 'wa-out-1')`, [fallback.id])
      await tx.query(`select public.record_ack($1, 'wa-out-1', 'delivered')`, [t.channelId])
      await tx.query(`select public.record_ack($1, 'wa-out-1', 'read')`, [t.channelId])
      // A repeated ack changes nothing, so it emits nothing.
      await tx.query(`select public.record_ack($1, 'wa-out-1', 'read')`, [t.channelId])
    })

    // An agent takes over (assigned; already human: no mode change), then hands back, then closes.
    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [first.conversation_id]))
    await asUser(db, t.agentId, (tx) => tx.query('select public.handback($1)', [first.conversation_id]))
    await asUser(db, t.agentId, (tx) =>
      tx.query(`select public.set_conversation_status($1, 'closed')`, [first.conversation_id]),
    )
    expect(await deliveredTypes(db, endpoint.id)).toEqual([
      'message_received',
      'mode_changed',
      'handoff_requested',
      'message_sent',
      'message_status',
      'message_status',
      'conversation_assigned',
      'mode_changed',
      'conversation_closed',
    ])

    const events = await db.query<{ type: string; data: Record<string, unknown> }>(
      'select type, data from public.webhook_events where tenant_id = $1 order by seq',
      [t.tenantId],
    )
    const modes = events.rows.filter((e) => e.type === 'mode_changed').map((e) => e.data)
    expect(modes).toMatchObject([
      { from: 'ai', to: 'human', reason: 'handoff', handoff_reason: 'asked', actor: { kind: 'ai' } },
      { from: 'human', to: 'ai', reason: 'handback', actor: { kind: 'agent', id: t.agentId } },
    ])
    const statuses = events.rows.filter((e) => e.type === 'message_status').map((e) => e.data.status)
    expect(statuses).toEqual(['delivered', 'read'])
  })

  it('a phone message is message_sent with author phone, then a mode change by the phone', async () => {
    const t = await createTenant(db)
    const { endpoint } = await createEndpoint(db, t, ['message_sent', 'mode_changed'])
    const chat = 'phone-events@c.us'
    await ingest(db, t.channelId, { chat, body: 'Hola' })
    await ingest(db, t.channelId, { chat, body: 'Te atiendo yo', fromMe: true })
    expect(await deliveredTypes(db, endpoint.id)).toEqual(['message_sent', 'mode_changed'])
    const sent = await row<{ data: { message: { author: string; body: string } } }>(
      db,
      `select data from public.webhook_events where tenant_id = $1 and type = 'message_sent'`,
      [t.tenantId],
    )
    expect(sent.data.message).toMatchObject({ author: 'phone', body: 'Te atiendo yo' })
  })

  it('private notes never leave, and only the chosen event types are written', async () => {
    const t = await createTenant(db)
    const { endpoint } = await createEndpoint(db, t, ['conversation_closed'])
    const msg = await ingest(db, t.channelId)
    await asUser(db, t.agentId, (tx) =>
      tx.query('select public.add_note($1, $2)', [msg.conversation_id, 'n']),
    )
    expect(await deliveredTypes(db, endpoint.id)).toEqual([])
    const { rows } = await db.query('select 1 from public.webhook_events where tenant_id = $1', [t.tenantId])
    expect(rows).toHaveLength(0)
  })

  it("another tenant's endpoint never gets this tenant's events; a paused endpoint gets nothing", async () => {
    const mine = await createTenant(db)
    const theirs = await createTenant(db, 'Other Store')
    const mineEndpoint = await createEndpoint(db, mine)
    const theirEndpoint = await createEndpoint(db, theirs)
    const paused = await createEndpoint(db, mine)
    await asUser(db, mine.adminId, (tx) =>
      tx.query('select public.update_webhook_endpoint($1, p_active => false)', [paused.endpoint.id]),
    )
    await ingest(db, mine.channelId)
    expect(await deliveredTypes(db, mineEndpoint.endpoint.id)).toEqual(['message_received'])
    expect(await deliveredTypes(db, theirEndpoint.endpoint.id)).toEqual([])
    expect(await deliveredTypes(db, paused.endpoint.id)).toEqual([])
    // A test event to a paused endpoint is refused too.
    await expectRelevoError(
      asUser(db, mine.adminId, (tx) =>
        tx.query('select public.send_test_webhook_event($1)', [paused.endpoint.id]),
      ),
      409,
      'endpoint_paused',
    )
  })

  it('admins see their own endpoints and deliveries only; agents see none; the secret is not a column', async () => {
    const mine = await createTenant(db)
    const theirs = await createTenant(db, 'Other Store')
    const created = await createEndpoint(db, mine)
    await createEndpoint(db, theirs)
    await ingest(db, mine.channelId)
    await ingest(db, theirs.channelId)
    const seen = (userId: string, table: string) =>
      asUser(
        db,
        userId,
        async (tx) => (await tx.query<{ tenant_id: string }>(`select tenant_id from ${table}`)).rows,
      )
    for (const table of ['public.webhook_endpoints', 'public.webhook_deliveries', 'public.webhook_events']) {
      const rows = await seen(mine.adminId, table)
      expect(rows.length, table).toBeGreaterThan(0)
      expect(
        rows.every((r) => r.tenant_id === mine.tenantId),
        table,
      ).toBe(true)
      expect(await seen(mine.agentId, table), table).toEqual([])
    }
    const endpoint = await asUser(db, mine.adminId, (tx) =>
      row<Record<string, unknown>>(tx, 'select * from public.webhook_endpoints where id = $1', [
        created.endpoint.id,
      ]),
    )
    expect(JSON.stringify(endpoint)).not.toContain(created.secret)
    await expectRelevoError(
      asUser(db, mine.agentId, (tx) =>
        tx.query('select public.create_webhook_endpoint($1, $2)', [
          'https://x.example.com',
          ['message_sent'],
        ]),
      ),
      403,
      'admin_only',
    )
    await expectRelevoError(
      asUser(db, theirs.adminId, (tx) =>
        tx.query('select public.rotate_webhook_secret($1)', [created.endpoint.id]),
      ),
      404,
      'endpoint_not_found',
    )
  })

  it('refuses private URLs and unknown event types; a rotated secret is what the deliverer gets', async () => {
    const t = await createTenant(db)
    await expectRelevoError(createEndpoint(db, t, ALL_EVENTS, 'http://127.0.0.1:9/hook'), 400, 'private_url')
    await expectRelevoError(createEndpoint(db, t, ['message_deleted']), 400, 'invalid_argument')
    const { endpoint, secret } = await createEndpoint(db, t)
    const rotated = await asUser(
      db,
      t.adminId,
      async (tx) =>
        (await row<{ s: string }>(tx, 'select public.rotate_webhook_secret($1) as s', [endpoint.id])).s,
    )
    expect(rotated).not.toBe(secret)
    const target = await asService(db, (tx) =>
      row<{ t: { secret: string; url: string } }>(tx, 'select public.webhook_endpoint_target($1) as t', [
        endpoint.id,
      ]),
    )
    expect(target.t).toMatchObject({ secret: rotated, url: 'https://hooks.example.com/relevo' })
  })

  it('claims only the head of each conversation, retries with backoff, fails after 10 tries', async () => {
    const t = await createTenant(db)
    const { endpoint } = await createEndpoint(db, t, ['message_received'])
    const a = await ingest(db, t.channelId, { chat: 'a@c.us', body: 'a1' })
    await ingest(db, t.channelId, { chat: 'a@c.us', body: 'a2' })
    await ingest(db, t.channelId, { chat: 'b@c.us', body: 'b1' })
    const claim = () =>
      asService(
        db,
        async (tx) =>
          (
            await tx.query<{ delivery_id: string; conversation_id: string; attempts: number; body: Body }>(
              `select * from public.claim_webhook_deliveries($1, 'w1')`,
              [endpoint.id],
            )
          ).rows,
      )
    const finish = (id: string, status: number) =>
      asService(
        db,
        async (tx) =>
          (
            await row<{ r: { status: string; next_attempt_at: string | null } }>(
              tx,
              `select public.finish_webhook_attempt($1, 'w1', 12, $2) as r`,
              [id, status],
            )
          ).r,
      )
    type Body = { id: string; type: string; data: { message: { body: string } } }
    const heads = await claim()
    expect(heads.map((h) => h.body.data.message.body)).toEqual(['a1', 'b1'])
    expect(await claim()).toEqual([])

    const headA = heads.find((h) => h.conversation_id === a.conversation_id)
    const failed = await finish(headA?.delivery_id ?? '', 500)
    expect(failed.status).toBe('pending')
    const delay = await row<{ s: number }>(
      db,
      'select extract(epoch from next_attempt_at - updated_at)::int as s from public.webhook_deliveries where id = $1',
      [headA?.delivery_id],
    )
    expect(delay.s).toBe(5)
    // a2 waits behind a1 while a1 waits for its retry.
    expect(await claim()).toEqual([])

    // Nine more failed tries (each made due at once) end in failed; then a2 is the head.
    for (let attempt = 2; attempt <= 10; attempt++) {
      await db.query('update public.webhook_deliveries set next_attempt_at = now() where id = $1', [
        headA?.delivery_id,
      ])
      const [again] = await claim()
      expect(again?.attempts).toBe(attempt)
      expect((await finish(again?.delivery_id ?? '', 503)).status).toBe(attempt === 10 ? 'failed' : 'pending')
    }
    const next = await claim()
    expect(next.map((h) => h.body.data.message.body)).toEqual(['a2'])
    expect((await finish(next[0]?.delivery_id ?? '', 204)).status).toBe('delivered')
  })

  it("an endpoint failing for a day is paused, audited and announced on the admins' topic", async () => {
    const t = await createTenant(db)
    const { endpoint } = await createEndpoint(db, t, ['message_received'])
    await ingest(db, t.channelId)
    await db.query(
      `update public.webhook_endpoints set failing_since = now() - interval '25 hours' where id = $1`,
      [endpoint.id],
    )
    const result = await asService(db, async (tx) => {
      const [claimed] = (
        await tx.query<{ delivery_id: string }>(`select * from public.claim_webhook_deliveries($1, 'w1')`, [
          endpoint.id,
        ])
      ).rows
      return (
        await row<{ r: { endpoint_active: boolean } }>(
          tx,
          `select public.finish_webhook_attempt($1, 'w1', 10000, null, 'timeout') as r`,
          [claimed?.delivery_id],
        )
      ).r
    })
    expect(result.endpoint_active).toBe(false)
    const paused = await row<{ active: boolean; paused_reason: string }>(
      db,
      'select active, paused_reason from public.webhook_endpoints where id = $1',
      [endpoint.id],
    )
    expect(paused.active).toBe(false)
    expect(paused.paused_reason).toMatch(/failed since/)
    await row(
      db,
      `select 1 from public.audit_log where tenant_id = $1 and action = 'webhook_endpoint_paused'`,
      [t.tenantId],
    )
    // The alert of the dashboard's header: the endpoint's row, now auto-paused, on the admins' topic.
    await row(
      db,
      `select 1 from realtime.messages where topic = $1 and event = 'UPDATE'
         and payload -> 'record' ->> 'id' = $2 and payload -> 'record' ->> 'auto_paused_at' is not null`,
      [`admins:${t.tenantId}`, endpoint.id],
    )
  })

  it('wakes the deliverer once per transaction and endpoint', async () => {
    const t = await createTenant(db)
    const { endpoint } = await createEndpoint(db, t, ['message_received'])
    await db.query(`select private.configure_webhook('event_delivery', 'http://fn.test/webhooks/db', 's')`)
    await asService(db, async (tx) => {
      for (const body of ['1', '2', '3']) {
        await tx.query(`select public.ingest_message($1, $2, 'burst@c.us', false, $3)`, [
          t.channelId,
          `wa-burst-${body}-${t.tenantId}`,
          body,
        ])
      }
    })
    const wakes = await db.query<{ headers: Record<string, string> }>(
      `select headers from private.webhook_requests
       where body ->> 'table' = 'webhook_deliveries' and body -> 'record' ->> 'endpoint_id' = $1`,
      [endpoint.id],
    )
    expect(wakes.rows).toHaveLength(1)
    // Signed like every database webhook (ADR 075): the request row holds a signature, not the secret.
    expect(Object.keys(wakes.rows[0]?.headers ?? {}).sort()).toEqual([
      'Content-Type',
      'X-Relevo-Signature',
      'X-Relevo-Timestamp',
    ])
    expect(await deliveredTypes(db, endpoint.id)).toHaveLength(3)
    await db.query(`delete from private.webhook_config where name = 'event_delivery'`)
  })

  if (backend.kind === 'postgres') {
    it('events are numbered in commit order: a transaction that wrote first but commits last comes last', async () => {
      const t = await createTenant(db)
      await createEndpoint(db, t, ['message_received'])
      const seqOf = async (body: string) =>
        (
          await row<{ seq: string }>(
            db,
            `select e.seq from public.webhook_events e where e.tenant_id = $1 and e.data -> 'message' ->> 'body' = $2`,
            [t.tenantId, body],
          )
        ).seq
      await asRole(db, { role: 'service_role' }, async (first) => {
        await first.query(`select public.ingest_message($1, 'wa-first', 'a@c.us', false, 'first written')`, [
          t.channelId,
        ])
        // Another chat of the same tenant, on another connection, commits while the first is open.
        await ingest(db, t.channelId, { chat: 'b@c.us', body: 'committed first' })
      })
      expect(Number(await seqOf('first written'))).toBeGreaterThan(Number(await seqOf('committed first')))
    })
  }
})
