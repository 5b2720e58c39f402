import { describe, expect, it } from 'vitest'
import { asRole } from '../local/as-role.ts'
import type { Database, Queryable } from '../src/db/index.ts'
import { createTenant, ingest, row } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Races the rules must survive. On PostgreSQL the calls run on separate connections at the
// same time; PGlite has one connection, so there they interleave but never overlap.

const claimIds = (tx: Queryable, channelId: string, worker: string, limit: number) =>
  tx
    .query<{ id: string }>('select id from public.claim_outbox($1, $2, $3)', [channelId, worker, limit])
    .then((r) => r.rows.map((m) => m.id))

async function queueMany(db: Database, channelId: string, agentId: string, count: number): Promise<string[]> {
  const msg = await ingest(db, channelId)
  return asUser(db, agentId, async (tx) => {
    const ids: string[] = []
    for (let i = 0; i < count; i += 1) {
      ids.push(
        (
          await row<{ id: string }>(tx, `select (public.send_agent_message($1, $2)).id`, [
            msg.conversation_id,
            `m${i}`,
          ])
        ).id,
      )
    }
    return ids
  })
}

describe.each(backends)('races on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('concurrent claims never get the same outbox row', async () => {
    const t = await createTenant(db)
    const queued = await queueMany(db, t.channelId, t.agentId, 30)
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        asService(db, (tx) => claimIds(tx, t.channelId, `worker-${i}`, 10)),
      ),
    )
    const all = claims.flat()
    expect(new Set(all).size).toBe(all.length)
    expect([...all].sort()).toEqual([...queued].sort())
  })

  it('the same WhatsApp message ingested concurrently is one row', async () => {
    const t = await createTenant(db)
    const results = await Promise.all(
      Array.from({ length: 5 }, () => ingest(db, t.channelId, { chat: 'race@c.us', waId: 'wa-race-1' })),
    )
    expect(new Set(results.map((r) => r.message_id)).size).toBe(1)
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1)
    const count = await row<{ n: number; unread: number }>(
      db,
      `select count(*)::int as n, max(c.unread_count) as unread from public.messages m
       join public.conversations c on c.id = m.conversation_id where m.wa_message_id = 'wa-race-1' and m.channel_id = $1`,
      [t.channelId],
    )
    expect(count).toEqual({ n: 1, unread: 1 })
  })

  if (backend.kind === 'postgres') {
    it('a claimer skips rows another open transaction holds instead of waiting or taking them', async () => {
      const t = await createTenant(db)
      const queued = await queueMany(db, t.channelId, t.agentId, 3)
      const [held, other] = await asRole(db, { role: 'service_role' }, async (tx1) => {
        const first = await claimIds(tx1, t.channelId, 'worker-1', 1)
        // tx1 is still open and holds its row lock while the second connection claims.
        const second = await asService(db, (tx2) => claimIds(tx2, t.channelId, 'worker-2', 10))
        return [first, second]
      })
      expect(held).toHaveLength(1)
      expect([...(held ?? []), ...(other ?? [])].sort()).toEqual([...queued].sort())
    })

    it('an AI reply racing a takeover waits for it and is refused', async () => {
      const t = await createTenant(db)
      const msg = await ingest(db, t.channelId)
      let enqueue: Promise<{ r: { enqueued: boolean; reason?: string } }> | undefined
      await asUser(db, t.agentId, async (tx) => {
        await tx.query('select public.takeover($1)', [msg.conversation_id])
        enqueue = asService(db, (tx2) =>
          row(tx2, 'select public.enqueue_ai_reply($1, $2) as r', [msg.message_id, 'IA']),
        )
        // Give the second connection the chance to block on the conversation lock before commit.
        await db.query('select pg_sleep(0.1)')
      })
      expect((await enqueue)?.r).toEqual({ enqueued: false, reason: 'not_ai_mode' })
    })
  }
})
