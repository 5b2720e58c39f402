import { beforeAll, describe, expect, it } from 'vitest'
import { seeded } from '../local/testing/hostile-input.ts'
import { createTenant, ingest, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// A seeded random walk through every handoff and delivery operation, checking after each
// step the invariants ARCHITECTURE.md promises, whatever the order of events. The seed is
// fixed, so a failure replays exactly; the failing step and history are in the message.

const STEPS = 250
const CHATS = ['a@c.us', 'b@c.us', 'c@c.us']

const invariants: [name: string, sql: string][] = [
  [
    'no AI message waits to be sent in a human chat',
    `select m.id from public.messages m join public.conversations c on c.id = m.conversation_id
     where c.mode = 'human' and m.author = 'ai' and m.status in ('queued', 'sending')`,
  ],
  [
    'at most one AI reply per customer message',
    `select in_reply_to from public.messages where author = 'ai' and status <> 'cancelled'
     group by in_reply_to having count(*) > 1`,
  ],
  [
    'no AI reply to a message that already had a newer one when the reply was queued',
    `select r.id from public.messages r join public.messages t on t.id = r.in_reply_to
     where r.author = 'ai' and exists (select 1 from public.messages n where n.conversation_id = t.conversation_id
       and n.direction = 'in' and (n.created_at, n.id) > (t.created_at, t.id) and n.created_at < r.created_at)`,
  ],
  [
    'a message with a WhatsApp id is never waiting to be sent',
    `select id from public.messages where direction = 'out' and wa_message_id is not null and status in ('queued', 'sending')`,
  ],
  [
    'every mode change is audited',
    `select c.id from public.conversations c where c.mode = 'human' and not exists (
       select 1 from public.audit_log a where a.conversation_id = c.id and a.action in ('takeover', 'handoff'))`,
  ],
  ['unread counts never go negative', 'select id from public.conversations where unread_count < 0'],
]

describe.each(backends)('random walk of the rules on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db)
  })

  it(`keeps every invariant over ${STEPS} random steps`, async () => {
    const next = seeded(20261125)
    const pick = <T>(items: T[]): T | undefined => items[Math.floor(next() * items.length)]
    const history: string[] = []
    const ids = async (sql: string) =>
      (await db.query<{ id: string }>(sql, [t.tenantId])).rows.map((r) => r.id)
    const conversation = async () =>
      pick(await ids('select id from public.conversations where tenant_id = $1'))
    const agent = () => pick([t.adminId, t.agentId]) ?? t.agentId

    const operations: Record<string, () => Promise<unknown>> = {
      customer_writes: () => ingest(db, t.channelId, { chat: pick(CHATS), body: `hola ${next()}` }),
      phone_types: () =>
        ingest(db, t.channelId, { chat: pick(CHATS), fromMe: true, body: `del teléfono ${next()}` }),
      ai_replies: async () => {
        const trigger = pick(
          await ids(`select id from public.messages where tenant_id = $1 and direction = 'in'`),
        )
        if (trigger)
          await asService(db, (tx) => tx.query(`select public.enqueue_ai_reply($1, 'IA')`, [trigger]))
      },
      takeover: async () => {
        const id = await conversation()
        if (id) await asUser(db, agent(), (tx) => tx.query('select public.takeover($1)', [id]))
      },
      handback: async () => {
        const id = await conversation()
        if (id) await asUser(db, agent(), (tx) => tx.query('select public.handback($1)', [id]))
      },
      agent_sends: async () => {
        const id = await conversation()
        if (id)
          await asUser(db, agent(), (tx) => tx.query(`select public.send_agent_message($1, 'agente')`, [id]))
      },
      ai_hands_off: async () => {
        const id = await conversation()
        if (id) await asService(db, (tx) => tx.query(`select public.ai_handoff($1, 'tool')`, [id]))
      },
      connector_claims: () =>
        asService(db, (tx) => tx.query(`select public.claim_outbox($1, 'w', 2)`, [t.channelId])),
      connector_sent: async () => {
        const id = pick(
          await ids(`select id from public.messages where tenant_id = $1 and status = 'sending'`),
        )
        if (id) await asService(db, (tx) => tx.query('select public.mark_sent($1, $2)', [id, `wa-${id}`]))
      },
      connector_failed: async () => {
        const id = pick(
          await ids(`select id from public.messages where tenant_id = $1 and status = 'sending'`),
        )
        if (id)
          await asService(db, (tx) => tx.query(`select public.mark_failed($1, 'timeout', true, 2)`, [id]))
      },
      time_passes: () =>
        db.query(
          `update public.messages set lease_expires_at = lease_expires_at - interval '1 hour',
             next_attempt_at = next_attempt_at - interval '1 hour' where tenant_id = $1`,
          [t.tenantId],
        ),
    }
    const names = Object.keys(operations)
    for (let step = 0; step < STEPS; step += 1) {
      const name = pick(names) ?? 'time_passes'
      history.push(name)
      await operations[name]?.()
      for (const [invariant, sql] of invariants) {
        const broken = await db.query(sql)
        expect(broken.rows, `step ${step}: ${invariant}\nhistory: ${history.join(', ')}`).toEqual([])
      }
    }
    expect(new Set(history).size).toBe(names.length)
  })
})
