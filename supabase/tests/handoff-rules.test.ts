import { describe, expect, it } from 'vitest'
import type { Database, Queryable } from '../src/db/index.ts'
import { createTenant, ingest, row } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// ARCHITECTURE.md "The handoff rules" 1–7, at the SQL level: what every client gets no
// matter who calls (dashboard via RPC, connector and functions with the service role).

interface Conversation {
  id: string
  mode: 'ai' | 'human'
  assigned_agent_id: string | null
  needs_attention: boolean
  attention_reason: string | null
  unread_count: number
  last_message_preview: string | null
}

const conversation = (db: Queryable, id: string) =>
  row<Conversation>(db, 'select * from public.conversations where id = $1', [id])

const enqueueAi = (db: Database, triggerId: string, body = 'Respuesta IA') =>
  asService(
    db,
    async (tx) =>
      (
        await row<{ r: { enqueued: boolean; reason?: string; message_id?: string } }>(
          tx,
          'select public.enqueue_ai_reply($1, $2) as r',
          [triggerId, body],
        )
      ).r,
  )

const webhookRecordIds = async (db: Queryable, conversationId: string) =>
  (
    await db.query<{ id: string }>(
      `select body -> 'record' ->> 'id' as id from private.webhook_requests
       where body -> 'record' ->> 'conversation_id' = $1 order by id`,
      [conversationId],
    )
  ).rows.map((r) => r.id)

describe.each(backends)('handoff rules on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('rule 1: a new chat starts in ai mode; a burst gets one AI reply, to its last message', async () => {
    const t = await createTenant(db)
    const first = await ingest(db, t.channelId, { chat: 'burst@c.us', body: 'Hola' })
    const second = await ingest(db, t.channelId, { chat: 'burst@c.us', body: '¿Tienen envío?' })
    expect(second.conversation_id).toBe(first.conversation_id)
    const conv = await conversation(db, first.conversation_id)
    expect(conv).toMatchObject({ mode: 'ai', unread_count: 2, last_message_preview: '¿Tienen envío?' })

    expect(await enqueueAi(db, first.message_id)).toEqual({ enqueued: false, reason: 'newer_message' })
    const reply = await enqueueAi(db, second.message_id)
    expect(reply.enqueued).toBe(true)
    const sent = await row<{ author: string; status: string; in_reply_to: string }>(
      db,
      'select author, status, in_reply_to from public.messages where id = $1',
      [reply.message_id],
    )
    expect(sent).toEqual({ author: 'ai', status: 'queued', in_reply_to: second.message_id })
    // The same trigger again (a retried webhook) is refused: one reply per burst.
    expect(await enqueueAi(db, second.message_id)).toEqual({ enqueued: false, reason: 'already_answered' })
  })

  it('rule 2: takeover makes the chat human, assigns the agent, cancels queued AI replies and refuses new ones', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    const queued = await enqueueAi(db, msg.message_id)
    const taken = await asUser(db, t.agentId, (tx) =>
      row<{ r: Conversation }>(tx, 'select to_jsonb(public.takeover($1)) as r', [msg.conversation_id]),
    )
    expect(taken.r).toMatchObject({ mode: 'human', assigned_agent_id: t.agentId })
    const cancelled = await row<{ status: string; error: string }>(
      db,
      'select status, error from public.messages where id = $1',
      [queued.message_id],
    )
    expect(cancelled.status).toBe('cancelled')
    // A reply still being generated is dropped when it tries to enqueue.
    expect(await enqueueAi(db, msg.message_id)).toEqual({ enqueued: false, reason: 'not_ai_mode' })
    const audit = await row<{ actor_id: string; details: { cancelled_ai_messages: number } }>(
      db,
      `select actor_id, details from public.audit_log where conversation_id = $1 and action = 'takeover'`,
      [msg.conversation_id],
    )
    expect(audit).toMatchObject({ actor_id: t.agentId, details: { cancelled_ai_messages: 1 } })
  })

  it('rule 2: an AI message already sent keeps its status; only unsent ones are cancelled', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    const reply = await enqueueAi(db, msg.message_id)
    await asService(db, async (tx) => {
      await tx.query(`select public.claim_outbox($1, 'w1')`, [t.channelId])
      await tx.query(`select public.mark_sent($1, 'wa-out-1')`, [reply.message_id])
    })
    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [msg.conversation_id]))
    const sent = await row<{ status: string }>(db, 'select status from public.messages where id = $1', [
      reply.message_id,
    ])
    expect(sent.status).toBe('sent')
  })

  it('rule 2: an agent sending in an ai chat takes it over; a retried send with the same client_ref is one message', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    const send = () =>
      asUser(db, t.adminId, (tx) =>
        row<{ r: { id: string; status: string; author: string } }>(
          tx,
          `select to_jsonb(public.send_agent_message($1, ' Hola, soy Admin ', 'ref-1')) as r`,
          [msg.conversation_id],
        ),
      )
    const first = await send()
    const again = await send()
    expect(again.r.id).toBe(first.r.id)
    expect(first.r).toMatchObject({ status: 'queued', author: 'agent', body: 'Hola, soy Admin' })
    expect(await conversation(db, msg.conversation_id)).toMatchObject({
      mode: 'human',
      assigned_agent_id: t.adminId,
      unread_count: 0,
    })
    const takeovers = await row<{ n: number }>(
      db,
      `select count(*)::int as n from public.audit_log where conversation_id = $1 and action = 'takeover'`,
      [msg.conversation_id],
    )
    expect(takeovers.n).toBe(1)
  })

  it('rule 3: a message typed on the phone is author phone and a takeover without an agent', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId, { chat: 'phone@c.us' })
    const queued = await enqueueAi(db, msg.message_id)
    const typed = await ingest(db, t.channelId, { chat: 'phone@c.us', fromMe: true, body: 'Te llamo ahora' })
    expect(typed.author).toBe('phone')
    const stored = await row<{ direction: string; status: string }>(
      db,
      'select direction, status from public.messages where id = $1',
      [typed.message_id],
    )
    expect(stored).toEqual({ direction: 'out', status: 'sent' })
    expect(await conversation(db, msg.conversation_id)).toMatchObject({
      mode: 'human',
      assigned_agent_id: null,
    })
    const audit = await row<{ actor_kind: string }>(
      db,
      `select actor_kind from public.audit_log where conversation_id = $1 and action = 'takeover'`,
      [msg.conversation_id],
    )
    expect(audit.actor_kind).toBe('phone')
    const cancelled = await row<{ status: string }>(db, 'select status from public.messages where id = $1', [
      queued.message_id,
    ])
    expect(cancelled.status).toBe('cancelled')
  })

  it("rule 3: the echo of the connector's own send is not a phone takeover, even before mark_sent", async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId, { chat: 'echo@c.us' })
    const reply = await enqueueAi(db, msg.message_id, 'Tenemos envío gratis')
    await asService(db, (tx) => tx.query(`select public.claim_outbox($1, 'w1')`, [t.channelId]))
    const echo = await ingest(db, t.channelId, {
      chat: 'echo@c.us',
      fromMe: true,
      body: 'Tenemos envío gratis',
      waId: 'wa-echo-1',
    })
    expect(echo).toMatchObject({ message_id: reply.message_id, duplicate: true, author: 'ai' })
    expect((await conversation(db, msg.conversation_id)).mode).toBe('ai')
    // The connector's mark_sent that follows finds the id already recorded on the same row.
    await asService(db, (tx) => tx.query(`select public.mark_sent($1, 'wa-echo-1')`, [reply.message_id]))
    const sent = await row<{ status: string; wa_message_id: string }>(
      db,
      'select status, wa_message_id from public.messages where id = $1',
      [reply.message_id],
    )
    expect(sent).toEqual({ status: 'sent', wa_message_id: 'wa-echo-1' })
    // A different text typed on the phone right then is still a takeover.
    await ingest(db, t.channelId, { chat: 'echo@c.us', fromMe: true, body: 'Yo te atiendo' })
    expect((await conversation(db, msg.conversation_id)).mode).toBe('human')
  })

  it('rule 4: handback with an unanswered customer message emits its webhook again and lets the AI answer it', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    await enqueueAi(db, msg.message_id) // cancelled by the takeover below: not an answer
    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [msg.conversation_id]))
    expect(await webhookRecordIds(db, msg.conversation_id)).toEqual([msg.message_id])

    await asUser(db, t.agentId, (tx) => tx.query('select public.handback($1)', [msg.conversation_id]))
    expect(await conversation(db, msg.conversation_id)).toMatchObject({ mode: 'ai', assigned_agent_id: null })
    expect(await webhookRecordIds(db, msg.conversation_id)).toEqual([msg.message_id, msg.message_id])
    expect((await enqueueAi(db, msg.message_id)).enqueued).toBe(true)
  })

  it('rule 4: handback after the agent answered emits nothing', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    await asUser(db, t.agentId, (tx) =>
      tx.query(`select public.send_agent_message($1, 'Listo')`, [msg.conversation_id]),
    )
    await asUser(db, t.agentId, (tx) => tx.query('select public.handback($1)', [msg.conversation_id]))
    expect(await webhookRecordIds(db, msg.conversation_id)).toEqual([msg.message_id])
    expect(await enqueueAi(db, msg.message_id)).toEqual({ enqueued: false, reason: 'already_answered' })
  })

  it('rule 5: the AI hands off once: human mode, needs attention with the reason, fallback text sent once', async () => {
    const t = await createTenant(db)
    await db.query(`update public.tenants set fallback_text = 'Ya te atiende una persona' where id = $1`, [
      t.tenantId,
    ])
    const msg = await ingest(db, t.channelId, { body: 'quiero hablar con un humano' })
    const queued = await enqueueAi(db, msg.message_id)
    const handoff = () =>
      asService(db, (tx) => tx.query(`select public.ai_handoff($1, 'customer_asked')`, [msg.conversation_id]))
    await handoff()
    await handoff()
    expect(await conversation(db, msg.conversation_id)).toMatchObject({
      mode: 'human',
      assigned_agent_id: null,
      needs_attention: true,
      attention_reason: 'customer_asked',
    })
    const fallbacks = await db.query<{ body: string; author: string; status: string }>(
      `select body, author, status from public.messages where conversation_id = $1 and author = 'system' and not private`,
      [msg.conversation_id],
    )
    expect(fallbacks.rows).toEqual([
      { body: 'Ya te atiende una persona', author: 'system', status: 'queued' },
    ])
    const cancelled = await row<{ status: string }>(db, 'select status from public.messages where id = $1', [
      queued.message_id,
    ])
    expect(cancelled.status).toBe('cancelled')
    const audit = await db.query(
      `select 1 from public.audit_log where conversation_id = $1 and action = 'handoff'`,
      [msg.conversation_id],
    )
    expect(audit.rows).toHaveLength(1)
  })

  it('rule 6: an idle human chat returns to the AI after the tenant minutes; a recent one stays', async () => {
    const t = await createTenant(db)
    await db.query('update public.tenants set auto_return_minutes = 30 where id = $1', [t.tenantId])
    const idle = await ingest(db, t.channelId)
    const busy = await ingest(db, t.channelId)
    for (const id of [idle.conversation_id, busy.conversation_id]) {
      await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [id]))
    }
    await db.query(
      `update public.conversations set mode_changed_at = now() - interval '31 minutes',
         last_agent_activity_at = now() - interval '31 minutes' where id = $1`,
      [idle.conversation_id],
    )
    const returned = await asService(db, (tx) =>
      row<{ n: number }>(tx, 'select public.auto_return_idle() as n'),
    )
    expect(returned.n).toBe(1)
    expect((await conversation(db, idle.conversation_id)).mode).toBe('ai')
    expect((await conversation(db, busy.conversation_id)).mode).toBe('human')
    // The unanswered customer message of the returned chat goes to the AI again (rule 4).
    expect(await webhookRecordIds(db, idle.conversation_id)).toEqual([idle.message_id, idle.message_id])
    const audit = await row<{ actor_kind: string }>(
      db,
      `select actor_kind from public.audit_log where conversation_id = $1 and action = 'auto_return'`,
      [idle.conversation_id],
    )
    expect(audit.actor_kind).toBe('system')
  })

  it('rule 6: tenants without auto-return keep human chats human', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [msg.conversation_id]))
    await db.query(
      `update public.conversations set mode_changed_at = now() - interval '30 days' where id = $1`,
      [msg.conversation_id],
    )
    await asService(db, (tx) => tx.query('select public.auto_return_idle()'))
    expect((await conversation(db, msg.conversation_id)).mode).toBe('human')
  })

  it('rule 7: every mode change is audited, shown in the thread and broadcast on the tenant topic', async () => {
    const t = await createTenant(db)
    const msg = await ingest(db, t.channelId)
    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [msg.conversation_id]))
    await asUser(db, t.adminId, (tx) => tx.query('select public.handback($1)', [msg.conversation_id]))
    const audit = await db.query<{ action: string; actor_id: string }>(
      `select action, actor_id from public.audit_log where conversation_id = $1 order by id`,
      [msg.conversation_id],
    )
    expect(audit.rows).toEqual([
      { action: 'takeover', actor_id: t.agentId },
      { action: 'handback', actor_id: t.adminId },
    ])
    const events = await db.query<{ body: string; private: boolean; type: string }>(
      `select body, private, type from public.messages where conversation_id = $1 and author = 'system' order by created_at, body desc`,
      [msg.conversation_id],
    )
    expect(events.rows).toEqual([
      { body: 'takeover', private: true, type: 'event' },
      { body: 'handback', private: true, type: 'event' },
    ])
    const modes = await db.query<{ mode: string; holder: string | null }>(
      `select payload -> 'record' ->> 'mode' as mode, payload -> 'record' ->> 'assigned_agent_id' as holder
       from realtime.messages
       where topic = $1 and event = 'UPDATE' and payload ->> 'table' = 'conversations'
         and payload -> 'record' ->> 'id' = $2
         and payload -> 'record' ->> 'mode' is distinct from payload -> 'old_record' ->> 'mode'
       order by id`,
      [`tenant:${t.tenantId}`, msg.conversation_id],
    )
    expect(modes.rows).toEqual([
      { mode: 'human', holder: t.agentId },
      { mode: 'ai', holder: null },
    ])
  })
})
