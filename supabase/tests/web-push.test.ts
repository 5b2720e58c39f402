import { beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Web Push (issue 18, item 8; ADR 097): one row per agent's browser; the database asks the
// functions to push when a chat needs a person or a customer writes in an agent's chat.

const P256DH = `B${'A'.repeat(86)}`
const AUTH = 'Q'.repeat(22)

const subscribe = (db: Database, userId: string, endpoint: string) =>
  asUser(db, userId, (tx) =>
    row<{ id: string }>(tx, 'select public.save_push_subscription($1, $2, $3, $4) as id', [
      endpoint,
      P256DH,
      AUTH,
      'Chromium test',
    ]),
  )

const pushHooks = async (db: Database, conversationId: string) =>
  (
    await db.query<{ record: { kind: string; message_id: string | null } }>(
      `select body -> 'record' as record from private.webhook_requests
       where body ->> 'table' = 'push_alerts' and body -> 'record' ->> 'conversation_id' = $1 order by id`,
      [conversationId],
    )
  ).rows.map((r) => r.record)

const targets = (db: Database, conversationId: string, kind: string, messageId: string | null = null) =>
  asService(
    db,
    async (tx) =>
      (
        await tx.query<{ subscription_id: string; endpoint: string; notification: Record<string, string> }>(
          'select subscription_id, endpoint, notification from public.push_targets($1, $2, $3)',
          [conversationId, kind, messageId],
        )
      ).rows,
  )

describe.each(backends)('Web Push on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db)
    await db.query(`update public.tenants set language = 'en' where id = $1`, [t.tenantId])
  })

  it('a browser is saved once per endpoint and turns the agent on; agents see only their own', async () => {
    const first = await subscribe(db, t.agentId, 'https://push.example.test/send/abc')
    const again = await subscribe(db, t.agentId, 'https://push.example.test/send/abc')
    expect(again.id).toBe(first.id)
    expect(await row(db, 'select push_alerts from public.agents where user_id = $1', [t.agentId])).toEqual({
      push_alerts: true,
    })
    const seen = await asUser(db, t.adminId, (tx) => tx.query('select id from public.push_subscriptions'))
    expect(seen.rows).toEqual([])
    await expectRelevoError(
      asUser(db, t.agentId, (tx) =>
        tx.query('select public.save_push_subscription($1, $2, $3)', ['http://10.0.0.1/x', P256DH, AUTH]),
      ),
      400,
      'invalid_subscription',
    )
    await expectRelevoError(
      asUser(db, t.agentId, (tx) =>
        tx.query('select public.save_push_subscription($1, $2, $3)', ['https://p.test/x', 'short', AUTH]),
      ),
      400,
      'invalid_subscription',
    )
  })

  it('needs a person: everyone on is pushed; a customer message: only the assignee', async () => {
    await subscribe(db, t.adminId, 'http://127.0.0.1:9999/push/admin')
    const msg = await ingest(db, t.channelId, { body: 'Hello' })
    expect(await pushHooks(db, msg.conversation_id)).toEqual([]) // nobody's chat yet
    await asService(db, (tx) =>
      tx.query(`select public.ai_handoff($1, 'asked for a person')`, [msg.conversation_id]),
    )
    expect(await pushHooks(db, msg.conversation_id)).toEqual([
      { conversation_id: msg.conversation_id, kind: 'needs_person', message_id: null },
    ])
    const all = await targets(db, msg.conversation_id, 'needs_person')
    expect(all.map((x) => x.endpoint).sort()).toEqual([
      'http://127.0.0.1:9999/push/admin',
      'https://push.example.test/send/abc',
    ])
    expect(all[0]?.notification).toMatchObject({
      title: 'Cliente',
      body: 'Needs a person: asked for a person',
      url: `/inbox/${msg.conversation_id}`,
    })

    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [msg.conversation_id]))
    const chat = (
      await row<{ wa_chat_id: string }>(db, 'select wa_chat_id from public.conversations where id = $1', [
        msg.conversation_id,
      ])
    ).wa_chat_id
    const next = await ingest(db, t.channelId, { chat, body: 'Are you there?' })
    expect((await pushHooks(db, msg.conversation_id)).at(-1)).toEqual({
      conversation_id: msg.conversation_id,
      kind: 'customer_message',
      message_id: next.message_id,
    })
    const mine = await targets(db, msg.conversation_id, 'customer_message', next.message_id)
    expect(mine.map((x) => [x.endpoint, x.notification.body])).toEqual([
      ['https://push.example.test/send/abc', 'Are you there?'],
    ])
  })

  it('off means no push; a gone subscription (410) is deleted', async () => {
    await asUser(db, t.agentId, (tx) => tx.query('select public.set_push_alerts(false)'))
    await asUser(db, t.adminId, (tx) => tx.query('select public.set_push_alerts(false)'))
    const msg = await ingest(db, t.channelId, { body: 'Hi' })
    await asService(db, (tx) => tx.query(`select public.ai_handoff($1, 'x')`, [msg.conversation_id]))
    expect(await pushHooks(db, msg.conversation_id)).toEqual([])
    expect(await targets(db, msg.conversation_id, 'needs_person')).toEqual([])

    const { id } = await row<{ id: string }>(
      db,
      `select id from public.push_subscriptions where user_id = $1`,
      [t.adminId],
    )
    await asService(db, (tx) => tx.query('select public.finish_push($1, 201)', [id]))
    expect(
      await row(
        db,
        'select failures, last_sent_at is not null as sent from public.push_subscriptions where id = $1',
        [id],
      ),
    ).toEqual({ failures: 0, sent: true })
    await asService(db, (tx) => tx.query('select public.finish_push($1, 500)', [id]))
    await asService(db, (tx) => tx.query('select public.finish_push($1, 410)', [id]))
    expect(await db.query('select 1 from public.push_subscriptions where id = $1', [id])).toMatchObject({
      rows: [],
    })
    await expectRelevoError(
      asService(db, (tx) =>
        tx.query(`select * from public.push_targets($1, 'gossip')`, [msg.conversation_id]),
      ),
      400,
      'invalid_argument',
    )
  })
})
