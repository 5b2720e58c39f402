import { randomUUID } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import type { Database, Queryable } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectSignedWebhook } from './support/webhook-signature.ts'

// ARCHITECTURE.md "Delivery rules" at the SQL level: idempotent ingest, the outbox with
// leases and SKIP LOCKED, retries with backoff, acks, the webhook and the realtime feeds.

interface OutboxRow {
  id: string
  status: string
  attempts: number
  leased_by: string | null
  error: string | null
}

const claim = (tx: Queryable, channelId: string, worker: string, limit = 10) =>
  tx
    .query<OutboxRow>('select * from public.claim_outbox($1, $2, $3)', [channelId, worker, limit])
    .then((r) => r.rows)

const status = (db: Queryable, id: string) =>
  row<OutboxRow & { next_in: number; wa_message_id: string | null }>(
    db,
    `select *, extract(epoch from next_attempt_at - now())::float8 as next_in from public.messages where id = $1`,
    [id],
  )

/** An agent reply queued in a fresh chat of the tenant: one outbox row. */
async function queueReply(
  db: Database,
  tenant: { channelId: string; agentId: string },
  body = 'Hola',
): Promise<string> {
  const msg = await ingest(db, tenant.channelId)
  return asUser(db, tenant.agentId, async (tx) => {
    const sent = await row<{ id: string }>(tx, 'select (public.send_agent_message($1, $2)).id', [
      msg.conversation_id,
      body,
    ])
    return sent.id
  })
}

describe.each(backends)('delivery rules on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('ingest is idempotent: the same WhatsApp id twice is one row and counts once', async () => {
    const t = await createTenant(db)
    const first = await ingest(db, t.channelId, { chat: 'dup@c.us', waId: 'wa-dup-1' })
    const again = await ingest(db, t.channelId, { chat: 'dup@c.us', waId: 'wa-dup-1' })
    expect(first.duplicate).toBe(false)
    expect(again).toEqual({ ...first, duplicate: true })
    const counts = await row<{ messages: number; unread: number; hooks: number }>(
      db,
      `select (select count(*)::int from public.messages where wa_message_id = 'wa-dup-1') as messages,
              (select unread_count from public.conversations where id = $1) as unread,
              (select count(*)::int from private.webhook_requests where body -> 'record' ->> 'id' = $2) as hooks`,
      [first.conversation_id, first.message_id],
    )
    expect(counts).toEqual({ messages: 1, unread: 1, hooks: 1 })
  })

  it('ingests a batch in order with ingest_message rules; a rejected element keeps the others', async () => {
    const t = await createTenant(db)
    const message = (waId: string, extra: Record<string, unknown> = {}) => ({
      channel_id: t.channelId,
      wa_message_id: waId,
      wa_chat_id: 'batch@c.us',
      from_me: false,
      body: `cuerpo ${waId}`,
      customer_name: 'Lucía',
      sent_at: '2026-11-20T10:00:00.000Z',
      ...extra,
    })
    const batch = [
      message('wa-b1'),
      message('wa-b2', { type: 'hologram' }),
      message('wa-b1'),
      message('wa-b3', { sent_at: 'not a date' }),
      message('wa-b4', { channel_id: randomUUID() }),
      message('wa-b5'),
    ]
    const results = await asService(db, async (tx) => {
      const { rows } = await tx.query<{ r: Array<Record<string, unknown>> }>(
        'select public.ingest_messages($1::jsonb) as r',
        [JSON.stringify(batch)],
      )
      return rows[0]?.r ?? []
    })
    expect(results).toHaveLength(6)
    expect(results[0]).toMatchObject({ duplicate: false, author: 'customer' })
    expect(results[1]).toMatchObject({ error: { status: 400, code: 'invalid_argument' } })
    expect(results[2]).toEqual({ ...results[0], duplicate: true })
    expect(results[3]).toMatchObject({ error: { status: 400, code: 'invalid_argument' } })
    expect(results[4]).toMatchObject({
      error: { status: 404, code: 'channel_not_found', hint: 'Check CHANNEL_ID of the connector' },
    })
    expect(results[5]).toMatchObject({ duplicate: false })
    const stored = await db.query<{ wa_message_id: string; unread: number }>(
      `select m.wa_message_id, c.unread_count as unread from public.messages m
       join public.conversations c on c.id = m.conversation_id
       where c.wa_chat_id = 'batch@c.us' and c.channel_id = $1 order by m.created_at, m.id`,
      [t.channelId],
    )
    expect(stored.rows).toEqual([
      { wa_message_id: 'wa-b1', unread: 2 },
      { wa_message_id: 'wa-b5', unread: 2 },
    ])
  })

  it('rejects a batch that is not an array of 1 to 50 messages, storing nothing', async () => {
    const t = await createTenant(db)
    const one = { channel_id: t.channelId, wa_message_id: 'wa-big', wa_chat_id: 'big@c.us', from_me: false }
    for (const body of ['{}', '[]', JSON.stringify(Array.from({ length: 51 }, () => one))]) {
      await expectRelevoError(
        asService(db, (tx) => tx.query('select public.ingest_messages($1::jsonb)', [body])),
        400,
        'invalid_argument',
      )
    }
    const { rows } = await db.query(`select 1 from public.messages where channel_id = $1`, [t.channelId])
    expect(rows).toHaveLength(0)
  })

  it("ingest keeps WhatsApp's own timestamp beside the time Relevo stored the message", async () => {
    const t = await createTenant(db)
    const sentAt = '2026-11-20T10:00:00.000Z'
    const ingested = await asService(db, async (tx) => {
      const { rows } = await tx.query<{ result: { message_id: string } }>(
        `select public.ingest_message(p_channel_id => $1, p_wa_message_id => 'wa-ts-1', p_wa_chat_id => 'ts@c.us',
           p_from_me => false, p_body => 'late catch-up', p_sent_at => $2) as result`,
        [t.channelId, sentAt],
      )
      return rows[0]?.result
    })
    const stored = await row<{ wa_timestamp: string; fresh: boolean }>(
      db,
      `select to_char(wa_timestamp at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS') as wa_timestamp,
              created_at > now() - interval '1 hour' as fresh
       from public.messages where id = $1`,
      [ingested?.message_id],
    )
    expect(stored).toEqual({ wa_timestamp: '2026-11-20T10:00:00', fresh: true })
  })

  it('the same WhatsApp id on another channel is another message', async () => {
    const a = await createTenant(db)
    const b = await createTenant(db)
    const inA = await ingest(db, a.channelId, { waId: 'wa-shared' })
    const inB = await ingest(db, b.channelId, { waId: 'wa-shared' })
    expect(inB.duplicate).toBe(false)
    expect(inB.message_id).not.toBe(inA.message_id)
  })

  it('an incoming message queues the database webhook in Supabase format and NOTIFYs the stand-in', async () => {
    const t = await createTenant(db)
    const payloads: string[] = []
    const unlisten = await db.listen('relevo_webhooks', (payload) => payloads.push(payload))
    try {
      const msg = await ingest(db, t.channelId, { body: 'Precio?' })
      const request = await row<{
        id: string
        url: string
        headers: Record<string, string>
        body: never
        text: string
      }>(
        db,
        `select id::text, url, headers, body, body::text as text from private.webhook_requests
         where body -> 'record' ->> 'id' = $1`,
        [msg.message_id],
      )
      expect(request.url).toBe('http://127.0.0.1:8787/webhooks/db')
      expectSignedWebhook(request.headers, request.text)
      expect(request.body).toMatchObject({
        type: 'INSERT',
        table: 'messages',
        schema: 'public',
        old_record: null,
        record: { id: msg.message_id, direction: 'in', author: 'customer', body: 'Precio?' },
      })
      await vi.waitFor(() => expect(payloads).toContain(request.id), { timeout: 10_000 })
    } finally {
      await unlisten()
    }
  })

  it('messages typed on the phone and outgoing messages trigger no webhook', async () => {
    const t = await createTenant(db)
    const typed = await ingest(db, t.channelId, { fromMe: true })
    await queueReply(db, t)
    const hooks = await row<{ n: number }>(
      db,
      `select count(*)::int as n from private.webhook_requests where body -> 'record' ->> 'conversation_id' = $1`,
      [typed.conversation_id],
    )
    expect(hooks.n).toBe(0)
  })

  it('changes are broadcast on tenant:<id>, and queued replies wake the connector on channel:<id>', async () => {
    const t = await createTenant(db)
    const replyId = await queueReply(db, t)
    const feed = await db.query<{ event: string; tbl: string }>(
      `select event, payload ->> 'table' as tbl from realtime.messages where topic = $1 order by id`,
      [`tenant:${t.tenantId}`],
    )
    expect(feed.rows).toEqual(
      expect.arrayContaining([
        { event: 'INSERT', tbl: 'conversations' },
        { event: 'INSERT', tbl: 'messages' },
        { event: 'UPDATE', tbl: 'conversations' },
      ]),
    )
    const outbox = await db.query<{ event: string; payload: unknown; private: boolean }>(
      `select event, payload, private from realtime.messages where topic = $1`,
      [`channel:${t.channelId}`],
    )
    expect(outbox.rows).toEqual([{ event: 'outbox', payload: { message_id: replyId }, private: true }])
  })

  it('claims lease queued rows once; the lease that expires makes the row claimable again', async () => {
    const t = await createTenant(db)
    const id = await queueReply(db, t)
    const first = await asService(db, (tx) => claim(tx, t.channelId, 'worker-a'))
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({ id, status: 'sending', attempts: 1, leased_by: 'worker-a' })
    expect(await asService(db, (tx) => claim(tx, t.channelId, 'worker-b'))).toEqual([])

    await db.query(
      `update public.messages set lease_expires_at = now() - interval '1 second' where id = $1`,
      [id],
    )
    const reclaimed = await asService(db, (tx) => claim(tx, t.channelId, 'worker-b'))
    expect(reclaimed.map((m) => [m.id, m.attempts, m.leased_by])).toEqual([[id, 2, 'worker-b']])
  })

  it('a message whose WhatsApp id is recorded is never claimed again, even with an expired lease', async () => {
    const t = await createTenant(db)
    const id = await queueReply(db, t)
    await asService(db, async (tx) => {
      await claim(tx, t.channelId, 'worker-a')
      await tx.query(`select public.mark_sent($1, 'wa-sent-1')`, [id])
    })
    // Even if something put it back to sending with an expired lease, the recorded id wins.
    await db.query(
      `update public.messages set status = 'sending', lease_expires_at = now() - interval '1 hour' where id = $1`,
      [id],
    )
    expect(await asService(db, (tx) => claim(tx, t.channelId, 'worker-b'))).toEqual([])
  })

  it('cancelled, private and not-yet-due rows are not claimed', async () => {
    const t = await createTenant(db)
    const later = await queueReply(db, t)
    await db.query(`update public.messages set next_attempt_at = now() + interval '1 minute' where id = $1`, [
      later,
    ])
    const msg = await ingest(db, t.channelId)
    await asUser(db, t.agentId, (tx) =>
      tx.query(`select public.add_note($1, 'nota interna')`, [msg.conversation_id]),
    )
    expect(await asService(db, (tx) => claim(tx, t.channelId, 'w'))).toEqual([])
  })

  it('a failed send is retried with exponential backoff and ends failed after the last attempt', async () => {
    const t = await createTenant(db)
    const id = await queueReply(db, t)
    const expectedDelays = [2, 4]
    for (const delay of expectedDelays) {
      await db.query('update public.messages set next_attempt_at = now() where id = $1', [id])
      const after = await asService(db, async (tx) => {
        await claim(tx, t.channelId, 'w')
        await tx.query(`select public.mark_failed($1, 'timeout', true, 3)`, [id])
        return status(tx, id)
      })
      expect(after).toMatchObject({ status: 'queued', error: 'timeout', next_in: delay })
    }
    await db.query('update public.messages set next_attempt_at = now() where id = $1', [id])
    const final = await asService(db, async (tx) => {
      await claim(tx, t.channelId, 'w')
      await tx.query(`select public.mark_failed($1, 'timeout', true, 3)`, [id])
      return status(tx, id)
    })
    expect(final).toMatchObject({ status: 'failed', attempts: 3, error: 'timeout' })
    expect(await asService(db, (tx) => claim(tx, t.channelId, 'w'))).toEqual([])
  })

  it('a non-retryable error fails at once; an agent can queue it again', async () => {
    const t = await createTenant(db)
    const id = await queueReply(db, t)
    await asService(db, async (tx) => {
      await claim(tx, t.channelId, 'w')
      await tx.query(`select public.mark_failed($1, 'number not on WhatsApp', false)`, [id])
    })
    expect((await status(db, id)).status).toBe('failed')
    await asUser(db, t.agentId, (tx) => tx.query('select public.retry_message($1)', [id]))
    expect(await status(db, id)).toMatchObject({ status: 'queued', attempts: 0, error: null })
    const audit = await row<{ actor_id: string }>(
      db,
      `select actor_id from public.audit_log where action = 'retry' and details ->> 'message_id' = $1`,
      [id],
    )
    expect(audit.actor_id).toBe(t.agentId)
  })

  it('acks only move forward: sent → delivered → read, never back', async () => {
    const t = await createTenant(db)
    const id = await queueReply(db, t)
    await asService(db, async (tx) => {
      await claim(tx, t.channelId, 'w')
      await tx.query(`select public.mark_sent($1, 'wa-ack-1')`, [id])
    })
    const ack = (s: string) =>
      asService(db, (tx) =>
        row<{ changed: boolean }>(tx, `select public.record_ack($1, 'wa-ack-1', $2) as changed`, [
          t.channelId,
          s,
        ]),
      ).then((r) => r.changed)
    expect(await ack('read')).toBe(true)
    expect(await ack('delivered')).toBe(false)
    expect(await ack('sent')).toBe(false)
    const acked = await row<{ status: string; delivered: boolean; read: boolean }>(
      db,
      'select status, delivered_at is not null as delivered, read_at is not null as read from public.messages where id = $1',
      [id],
    )
    expect(acked).toEqual({ status: 'read', delivered: true, read: true })
    // A late mark_sent (e.g. the connector retried) does not move a read message back.
    await asService(db, (tx) => tx.query(`select public.mark_sent($1, 'wa-ack-1')`, [id]))
    expect((await status(db, id)).status).toBe('read')
  })

  it('the sweeper lists old unanswered ai-mode messages without an AI decision', async () => {
    const t = await createTenant(db)
    const dropped = await ingest(db, t.channelId)
    const decided = await ingest(db, t.channelId)
    await db.query(
      `update public.messages set created_at = now() - interval '5 minutes' where id = any($1::uuid[])`,
      [[dropped.message_id, decided.message_id]],
    )
    await db.query(
      `insert into public.ai_runs (tenant_id, conversation_id, trigger_message_id, provider, outcome)
       values ($1, $2, $3, 'openai', 'failed')`,
      [t.tenantId, decided.conversation_id, decided.message_id],
    )
    const listed = await asService(db, (tx) =>
      tx.query<{ message_id: string }>(
        'select message_id from public.unanswered_ai_messages(60, 50) where tenant_id = $1',
        [t.tenantId],
      ),
    )
    expect(listed.rows).toEqual([{ message_id: dropped.message_id }])
  })

  it('channel status, heartbeat and re-link requests', async () => {
    const t = await createTenant(db)
    // The QR goes to channel_links (admins only, ADR 071), not to the channel row everyone reads.
    const statusWithQr = (call: string) =>
      asService(db, async (tx) => {
        const { status } = await row<{ status: string }>(tx, `select status from ${call}`, [t.channelId])
        const link = await row<{ qr: string | null }>(
          tx,
          'select qr from public.channel_links where channel_id = $1',
          [t.channelId],
        )
        return { status, qr: link.qr }
      })
    expect(await statusWithQr(`public.set_channel_status($1, 'qr', 'QR-TEXT')`)).toEqual({
      status: 'qr',
      qr: 'QR-TEXT',
    })
    expect(await statusWithQr(`public.set_channel_status($1, 'ready')`)).toEqual({
      status: 'ready',
      qr: null,
    })
    const beat = () =>
      asService(db, (tx) =>
        row<{ r: unknown }>(tx, 'select public.channel_heartbeat($1) as r', [t.channelId]),
      )
    expect((await beat()).r).toEqual({ relink_requested: false })
    await asUser(db, t.adminId, (tx) => tx.query('select public.request_relink($1)', [t.channelId]))
    expect((await beat()).r).toEqual({ relink_requested: true })
  })
})
