import { describe, expect, it } from 'vitest'
import type { Queryable } from '../src/db/index.ts'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Business hours (ADR 094): is_open_at / next_opening / business_seconds in the tenant's time
// zone, across DST changes and midnight; the after-hours handoff text and the away message; the
// first-response metric in business time; who may read and write the schedule.

type Span = [weekday: number, opens: string, closes: string]

async function setSchedule(
  db: Queryable,
  tenantId: string,
  timezone: string,
  spans: Span[],
  holidays: string[] = [],
) {
  await db.query('update public.tenants set timezone = $2 where id = $1', [tenantId, timezone])
  await db.query('delete from public.business_hours where tenant_id = $1', [tenantId])
  for (const [weekday, opens, closes] of spans) {
    await db.query(
      'insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values ($1, $2, $3, $4)',
      [tenantId, weekday, opens, closes],
    )
  }
  for (const day of holidays) {
    await db.query('insert into public.business_holidays (tenant_id, day) values ($1, $2)', [tenantId, day])
  }
}

const isOpen = async (db: Queryable, tenantId: string, at: string) =>
  (await row<{ open: boolean }>(db, 'select private.is_open_at($1, $2) as open', [tenantId, at])).open
const nextOpening = async (db: Queryable, tenantId: string, at: string) =>
  (
    await row<{ at: string | null }>(
      db,
      `select to_char(private.next_opening($1, $2) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at`,
      [tenantId, at],
    )
  ).at
const businessSeconds = async (db: Queryable, tenantId: string, from: string, to: string) =>
  (await row<{ s: number }>(db, 'select private.business_seconds($1, $2, $3) as s', [tenantId, from, to])).s

const WEEKDAYS_ES = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado']

describe.each(backends)('business hours on $kind', (backend) => {
  const db = suiteDatabase(backend)

  // New York: Mon–Fri 09:00–17:00, Saturday night 22:00 to Sunday 02:00 (two rows), and a
  // Sunday-morning span that the DST changes shorten (8 March 2026) and lengthen (1 November).
  const newYork: Span[] = [
    [1, '09:00', '17:00'],
    [2, '09:00', '17:00'],
    [3, '09:00', '17:00'],
    [4, '09:00', '17:00'],
    [5, '09:00', '17:00'],
    [6, '22:00', '24:00'],
    [0, '00:00', '02:00'],
  ]

  it('is open at local 09:00 whatever the UTC offset, before and after the spring change', async () => {
    const t = await createTenant(db)
    await setSchedule(db, t.tenantId, 'America/New_York', newYork)
    // Friday 6 March 2026 is EST (UTC−5): 09:00 local = 14:00Z.
    expect(await isOpen(db, t.tenantId, '2026-03-06T13:59:59Z')).toBe(false)
    expect(await isOpen(db, t.tenantId, '2026-03-06T14:00:00Z')).toBe(true)
    expect(await isOpen(db, t.tenantId, '2026-03-06T21:59:59Z')).toBe(true)
    expect(await isOpen(db, t.tenantId, '2026-03-06T22:00:00Z')).toBe(false)
    // Monday 9 March 2026 is EDT (UTC−4): 09:00 local = 13:00Z.
    expect(await isOpen(db, t.tenantId, '2026-03-09T12:59:59Z')).toBe(false)
    expect(await isOpen(db, t.tenantId, '2026-03-09T13:00:00Z')).toBe(true)
  })

  it('a span across midnight stays open over it, and its end moves with the DST change that night', async () => {
    const t = await createTenant(db)
    await setSchedule(db, t.tenantId, 'America/New_York', newYork)
    // Saturday 7 March 23:30 EST and Sunday 8 March 00:30 and 01:59 EST.
    expect(await isOpen(db, t.tenantId, '2026-03-08T04:30:00Z')).toBe(true)
    expect(await isOpen(db, t.tenantId, '2026-03-08T05:30:00Z')).toBe(true)
    expect(await isOpen(db, t.tenantId, '2026-03-08T06:59:59Z')).toBe(true)
    // 02:00 EST never happens that night (clocks go to 03:00 EDT = 07:00Z): closed from then.
    expect(await isOpen(db, t.tenantId, '2026-03-08T07:00:00Z')).toBe(false)
    // Saturday 21:59 local is still closed; the Saturday row opens at 22:00 EST = 03:00Z Sunday.
    expect(await isOpen(db, t.tenantId, '2026-03-08T02:59:00Z')).toBe(false)
    expect(await nextOpening(db, t.tenantId, '2026-03-08T02:59:00Z')).toBe('2026-03-08T03:00:00Z')
  })

  it('counts business time: the short and the long Sunday, a weekend, and no schedule at all', async () => {
    const t = await createTenant(db)
    await setSchedule(db, t.tenantId, 'America/New_York', [[0, '00:00', '04:00']])
    // 8 March 2026: 00:00–04:00 local skips 02:00–03:00, so three hours; 1 November repeats
    // 01:00–02:00, so five; an ordinary Sunday four.
    expect(await businessSeconds(db, t.tenantId, '2026-03-07T00:00:00Z', '2026-03-09T00:00:00Z')).toBe(10800)
    expect(await businessSeconds(db, t.tenantId, '2026-10-31T00:00:00Z', '2026-11-02T00:00:00Z')).toBe(18000)
    expect(await businessSeconds(db, t.tenantId, '2026-03-14T00:00:00Z', '2026-03-16T00:00:00Z')).toBe(14400)
    // Partly inside: 15 March (EDT) 03:30 local = 07:30Z; the span ends 04:00 = 08:00Z.
    expect(await businessSeconds(db, t.tenantId, '2026-03-15T07:30:00Z', '2026-03-16T00:00:00Z')).toBe(1800)
    expect(await businessSeconds(db, t.tenantId, '2026-03-16T00:00:00Z', '2026-03-15T00:00:00Z')).toBe(0)

    const always = await createTenant(db)
    expect(await isOpen(db, always.tenantId, '2026-03-08T07:00:00Z')).toBe(true)
    expect(await nextOpening(db, always.tenantId, '2026-03-08T07:00:00Z')).toBe('2026-03-08T07:00:00Z')
    expect(await businessSeconds(db, always.tenantId, '2026-03-08T00:00:00Z', '2026-03-08T01:00:00Z')).toBe(
      3600,
    )
  })

  it('next opening skips nights, weekends and holidays, in the tenant zone', async () => {
    const t = await createTenant(db)
    await setSchedule(
      db,
      t.tenantId,
      'Europe/Madrid',
      [
        [1, '09:00', '14:00'],
        [1, '16:00', '20:00'],
        [2, '09:00', '14:00'],
      ],
      ['2026-12-08'],
    )
    // Monday 7 December 14:30 Madrid (CET, UTC+1) = 13:30Z: the afternoon span opens at 15:00Z.
    expect(await nextOpening(db, t.tenantId, '2026-12-07T13:30:00Z')).toBe('2026-12-07T15:00:00Z')
    // Monday 20:00: Tuesday the 8th is a holiday, so Monday 14 December 09:00 = 08:00Z.
    expect(await nextOpening(db, t.tenantId, '2026-12-07T19:00:00Z')).toBe('2026-12-14T08:00:00Z')
    // Two spans of one day may not overlap (their time would count twice).
    await expectRelevoError(
      db.query(
        `insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values ($1, 1, '13:00', '17:00')`,
        [t.tenantId],
      ),
      409,
      'hours_overlap',
    )
    // Every opening day a holiday for more than a year: there is no next opening.
    const closed = await createTenant(db)
    await setSchedule(db, closed.tenantId, 'UTC', [[3, '09:00', '10:00']])
    await db.query(
      `insert into public.business_holidays (tenant_id, day)
       select $1, d::date from generate_series('2026-12-01'::date, '2028-03-01'::date, interval '1 day') d
       where extract(dow from d) = 3`,
      [closed.tenantId],
    )
    expect(await nextOpening(db, closed.tenantId, '2026-12-01T12:00:00Z')).toBeNull()
  })

  it('admins write hours and holidays; agents read them; another tenant sees and reaches nothing', async () => {
    const t = await createTenant(db)
    const other = await createTenant(db)
    await asUser(db, t.adminId, async (tx) => {
      await tx.query(
        `insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values ($1, 1, '09:00', '17:00')`,
        [t.tenantId],
      )
      await tx.query(
        `insert into public.business_holidays (tenant_id, day, name) values ($1, '2026-12-25', 'Navidad')`,
        [t.tenantId],
      )
      await tx.query(`update public.tenants set away_text = 'Volvemos {{next_open}}' where id = $1`, [
        t.tenantId,
      ])
    })
    await expectDenied(
      asUser(db, t.agentId, (tx) =>
        tx.query(
          `insert into public.business_hours (tenant_id, weekday, opens_at, closes_at) values ($1, 2, '09:00', '17:00')`,
          [t.tenantId],
        ),
      ),
    )
    const agentSees = await asUser(db, t.agentId, async (tx) => ({
      hours: (await tx.query('select weekday from public.business_hours')).rows.length,
      holidays: (await tx.query('select name from public.business_holidays')).rows,
      open: (
        await row<{ o: boolean }>(tx, `select public.is_open_at($1, '2026-12-25T15:00:00Z') as o`, [
          t.tenantId,
        ])
      ).o,
    }))
    expect(agentSees).toEqual({ hours: 1, holidays: [{ name: 'Navidad' }], open: false })
    const otherSees = await asUser(db, other.adminId, async (tx) => ({
      hours: (await tx.query('select 1 from public.business_hours where tenant_id = $1', [t.tenantId])).rows
        .length,
      deleted: (await tx.query('delete from public.business_holidays where tenant_id = $1', [t.tenantId]))
        .affectedRows,
    }))
    expect(otherSees).toEqual({ hours: 0, deleted: 0 })
    await expectRelevoError(
      asUser(db, other.adminId, (tx) => tx.query('select public.next_opening($1)', [t.tenantId])),
      404,
      'tenant_not_found',
    )
    const forService = await asService(db, (tx) =>
      row<{ o: boolean }>(tx, `select public.is_open_at($1, '2026-12-21T15:00:00Z') as o`, [t.tenantId]),
    )
    expect(forService.o).toBe(true)
  })

  /** Closed now (UTC): open only on the weekday three days ahead, 09:00–17:00. */
  async function closedUntilThreeDays(t: TenantFixture): Promise<string> {
    const ahead = new Date(Date.now() + 3 * 86_400_000)
    await setSchedule(db, t.tenantId, 'UTC', [[ahead.getUTCDay(), '09:00', '17:00']])
    return `el ${WEEKDAYS_ES[ahead.getUTCDay()]} a las 09:00`
  }
  const outbox = (conversationId: string) =>
    db
      .query<{ body: string; author: string; status: string }>(
        `select body, author, status from public.messages
         where conversation_id = $1 and direction = 'out' and not private order by created_at`,
        [conversationId],
      )
      .then((r) => r.rows)

  it('outside hours the AI hands off with the tenant text and the next opening filled in; inside, the fallback', async () => {
    const t = await createTenant(db)
    const when = await closedUntilThreeDays(t)
    const msg = await ingest(db, t.channelId)
    await asService(db, (tx) =>
      tx.query(`select public.ai_handoff($1, 'customer_asked')`, [msg.conversation_id]),
    )
    expect(await outbox(msg.conversation_id)).toEqual([
      {
        body: `Te comunico con una persona de nuestro equipo. Estamos fuera de horario; te atenderán ${when}.`,
        author: 'system',
        status: 'queued',
      },
    ])

    await setSchedule(
      db,
      t.tenantId,
      'UTC',
      [0, 1, 2, 3, 4, 5, 6].map((d): Span => [d, '00:00', '24:00']),
    )
    const open = await ingest(db, t.channelId)
    await asService(db, (tx) =>
      tx.query(`select public.ai_handoff($1, 'customer_asked')`, [open.conversation_id]),
    )
    const fallback = await row<{ fallback_text: string }>(
      db,
      'select fallback_text from public.tenants where id = $1',
      [t.tenantId],
    )
    expect((await outbox(open.conversation_id)).map((m) => m.body)).toEqual([fallback.fallback_text])
  })

  it('with the AI off, a customer outside hours gets the away text once per closed stretch; inside hours none', async () => {
    const t = await createTenant(db)
    const when = await closedUntilThreeDays(t)
    await db.query(
      `update public.tenants set ai_enabled = false, away_text = 'Volvemos {{next_open}}.' where id = $1`,
      [t.tenantId],
    )
    const first = await ingest(db, t.channelId, { chat: 'away@c.us' })
    await ingest(db, t.channelId, { chat: 'away@c.us', body: '¿Hola?' })
    const conv = await row<{ mode: string; attention_reason: string; last_message_preview: string }>(
      db,
      'select mode, attention_reason, last_message_preview from public.conversations where id = $1',
      [first.conversation_id],
    )
    expect(conv).toEqual({ mode: 'human', attention_reason: 'ai_off', last_message_preview: '¿Hola?' })
    expect(await outbox(first.conversation_id)).toEqual([
      { body: `Volvemos ${when}.`, author: 'system', status: 'queued' },
    ])
    // The thread order: the customer's message, then the away text.
    const thread = await db.query<{ author: string }>(
      'select author from public.messages where conversation_id = $1 and not private order by created_at, id',
      [first.conversation_id],
    )
    expect(thread.rows.map((r) => r.author)).toEqual(['customer', 'system', 'customer'])

    // The business opened since the last away text (sent 8 days ago): a new closed stretch, a new away text.
    await db.query(`update public.conversations set away_sent_at = now() - interval '8 days' where id = $1`, [
      first.conversation_id,
    ])
    await ingest(db, t.channelId, { chat: 'away@c.us', body: 'Sigo aquí' })
    expect((await outbox(first.conversation_id)).length).toBe(2)

    await setSchedule(
      db,
      t.tenantId,
      'UTC',
      [0, 1, 2, 3, 4, 5, 6].map((d): Span => [d, '00:00', '24:00']),
    )
    const inside = await ingest(db, t.channelId)
    expect(await outbox(inside.conversation_id)).toEqual([])
  })

  it('the median first response counts business time only; the wall-clock median stays beside it', async () => {
    const t = await createTenant(db)
    await setSchedule(db, t.tenantId, 'America/New_York', newYork.slice(0, 5))
    const msg = await ingest(db, t.channelId)
    // Asked Friday 6 March 16:59 EST, answered Monday 9 March 09:01 EDT: two business minutes.
    await db.query(`update public.messages set created_at = '2026-03-06T21:59:00Z' where id = $1`, [
      msg.message_id,
    ])
    await db.query(
      `insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, agent_id, body, status, created_at)
       values ($1, $2, $3, 'out', 'agent', $4, 'Buenos días', 'sent', '2026-03-09T13:01:00Z')`,
      [t.tenantId, t.channelId, msg.conversation_id, t.agentId],
    )
    const metrics = await asUser(db, t.agentId, (tx) =>
      row<{ m: { median_first_response_seconds: unknown; median_first_response_wall_seconds: unknown } }>(
        tx,
        `select public.dashboard_metrics('2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z') as m`,
      ),
    )
    expect(metrics.m.median_first_response_seconds).toEqual({ agent: 120 })
    expect(metrics.m.median_first_response_wall_seconds).toEqual({ agent: 2 * 86_400 + 15 * 3600 + 120 })
  })
})
