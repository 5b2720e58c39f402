import { randomUUID } from 'node:crypto'
import { PRESENCE_ONLINE_SECONDS } from '@relevo/contracts/limits'
import { describe, expect, it } from 'vitest'
import { seeded } from '../local/testing/hostile-input.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Auto-assignment (ADR 095): round-robin among online agents under the tenant's capacity, on a
// handoff and on a customer message in an unassigned human chat; the sweeper's
// assign_waiting_chats drains the queue and returns an offline agent's chats; admins turn it off.
// A seeded random walk checks every decision against a model of the rule.

describe.each(backends)('auto-assignment on $kind', (backend) => {
  const db = suiteDatabase(backend)

  async function addAgents(t: TenantFixture, n: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => randomUUID()).sort()
    for (const id of ids) {
      await db.query('insert into auth.users (id, email) values ($1, $2)', [id, `${id}@test.relevo.test`])
      await db.query(
        'insert into public.agents (user_id, tenant_id, display_name, email) values ($1, $2, $3, $4)',
        [id, t.tenantId, `Agent ${id.slice(0, 4)}`, `${id}@test.relevo.test`],
      )
    }
    return ids
  }
  /** Offline = not seen for `offlineMinutes` (past the requeue minutes by default). */
  const setOnline = (ids: string[], online: boolean, offlineMinutes = 60) =>
    db.query(
      `update public.agents set last_seen_at = case when $2 then now() else now() - make_interval(mins => $3) end
       where user_id = any($1)`,
      [ids, online, offlineMinutes],
    )
  /** A new chat that the AI hands off; returns its assignee. */
  async function handoffChat(t: TenantFixture): Promise<{ id: string; assignee: string | null }> {
    const msg = await ingest(db, t.channelId)
    const conv = await asService(db, (tx) =>
      row<{ assigned_agent_id: string | null }>(tx, `select (public.ai_handoff($1, 'customer_asked')).*`, [
        msg.conversation_id,
      ]),
    )
    return { id: msg.conversation_id, assignee: conv.assigned_agent_id }
  }
  const sweep = () =>
    asService(db, (tx) =>
      row<{ r: { requeued: number; assigned: number } }>(tx, 'select public.assign_waiting_chats() as r'),
    ).then((r) => r.r)
  const assigneeOf = async (id: string) =>
    (
      await row<{ a: string | null }>(
        db,
        'select assigned_agent_id as a from public.conversations where id = $1',
        [id],
      )
    ).a

  it('online is what the desks mean by online (PRESENCE_ONLINE_SECONDS)', async () => {
    const r = await row<{ s: number }>(db, 'select private.presence_online_seconds() as s')
    expect(r.s).toBe(PRESENCE_ONLINE_SECONDS)
  })

  it('a handoff goes round-robin to online agents only, with an assign event in the thread', async () => {
    const t = await createTenant(db)
    const [a, b, c] = await addAgents(t, 3)
    await setOnline([a as string, b as string], true)
    await setOnline([c as string], false)
    const assignees = []
    for (let i = 0; i < 4; i += 1) assignees.push((await handoffChat(t)).assignee)
    expect(assignees).toEqual([a, b, a, b])
    const event = await row<{
      body: string
      media: { assignee_id: string; auto: boolean; actor_kind: string }
    }>(
      db,
      `select m.body, m.media from public.messages m join public.conversations c on c.id = m.conversation_id
       where c.tenant_id = $1 and m.type = 'event' and m.body = 'assign' order by m.created_at limit 1`,
      [t.tenantId],
    )
    expect(event).toMatchObject({
      body: 'assign',
      media: { assignee_id: a, auto: true, actor_kind: 'system' },
    })
  })

  it('capacity: a full desk waits in the queue; the sweeper assigns it when a seat frees', async () => {
    const t = await createTenant(db)
    await db.query('update public.tenants set agent_capacity = 2 where id = $1', [t.tenantId])
    const agents = await addAgents(t, 2)
    await setOnline(agents, true)
    const chats: { id: string; assignee: string | null }[] = []
    for (let i = 0; i < 5; i += 1) chats.push(await handoffChat(t))
    expect(chats.map((c) => c.assignee).filter(Boolean)).toHaveLength(4)
    const waiting = chats[4] as { id: string; assignee: string | null }
    expect(waiting.assignee).toBeNull()
    expect(await sweep()).toEqual({ requeued: 0, assigned: 0 })
    await asUser(db, chats[0]?.assignee as string, (tx) =>
      tx.query(`select public.set_conversation_status($1, 'closed')`, [chats[0]?.id]),
    )
    expect(await sweep()).toEqual({ requeued: 0, assigned: 1 })
    expect(await assigneeOf(waiting.id)).toBe(chats[0]?.assignee)
  })

  it('a customer message in an unassigned human chat assigns it; a held chat stays with its holder', async () => {
    const t = await createTenant(db)
    const [a] = await addAgents(t, 1)
    const chat = await handoffChat(t) // nobody online: waits
    expect(chat.assignee).toBeNull()
    await setOnline([a as string], true)
    const chatId = (
      await row<{ wa_chat_id: string }>(db, 'select wa_chat_id from public.conversations where id = $1', [
        chat.id,
      ])
    ).wa_chat_id
    await ingest(db, t.channelId, { chat: chatId, body: '¿Alguien?' })
    expect(await assigneeOf(chat.id)).toBe(a)
    // The agent fixture takes it over; a later customer message does not move it.
    await setOnline([t.agentId], true)
    await asUser(db, t.agentId, (tx) => tx.query('select public.takeover($1)', [chat.id]))
    await ingest(db, t.channelId, { chat: chatId, body: 'Gracias' })
    expect(await assigneeOf(chat.id)).toBe(t.agentId)
  })

  it('an agent offline longer than the tenant minutes has their chats returned and reassigned', async () => {
    const t = await createTenant(db)
    await db.query('update public.tenants set offline_requeue_minutes = 10 where id = $1', [t.tenantId])
    const [a, b] = await addAgents(t, 2)
    await setOnline([a as string], true)
    const chat = await handoffChat(t)
    expect(chat.assignee).toBe(a)
    await setOnline([b as string], true)
    await db.query(
      `update public.agents set last_seen_at = now() - interval '9 minutes' where user_id = $1`,
      [a],
    )
    expect(await sweep()).toEqual({ requeued: 0, assigned: 0 })
    await db.query(
      `update public.agents set last_seen_at = now() - interval '11 minutes' where user_id = $1`,
      [a],
    )
    expect(await sweep()).toEqual({ requeued: 1, assigned: 1 })
    expect(await assigneeOf(chat.id)).toBe(b)
  })

  it('admins turn it off: nothing is assigned or returned; agents cannot change the setting', async () => {
    const t = await createTenant(db)
    const [a] = await addAgents(t, 1)
    await setOnline([a as string], true)
    const denied = await asUser(db, t.agentId, (tx) =>
      tx.query('update public.tenants set auto_assign = false where id = $1', [t.tenantId]),
    )
    expect(denied.affectedRows).toBe(0)
    await asUser(db, t.adminId, (tx) =>
      tx.query('update public.tenants set auto_assign = false, agent_capacity = 3 where id = $1', [
        t.tenantId,
      ]),
    )
    const chat = await handoffChat(t)
    expect(chat.assignee).toBeNull()
    expect(await sweep()).toEqual({ requeued: 0, assigned: 0 })
  })

  it('fairness and capacity over a seeded random walk: every decision is the rule’s', async () => {
    const rand = seeded(18_05)
    const t = await createTenant(db)
    const capacity = 3
    await db.query('update public.tenants set agent_capacity = $2 where id = $1', [t.tenantId, capacity])
    const agents = await addAgents(t, 5)
    const online = new Set<string>()
    const held = new Map<string, string>() // chat → agent
    const turns = new Map<string, number>() // agent → order of their last assignment
    const waiting: string[] = []
    let step = 0
    let tick = 0
    /** The rule: online, under capacity, longest since last assigned (never first), then by id. */
    const expected = (): string | null => {
      const load = (id: string) => [...held.values()].filter((h) => h === id).length
      const free = agents.filter((id) => online.has(id) && load(id) < capacity)
      free.sort((x, y) => (turns.get(x) ?? -1) - (turns.get(y) ?? -1) || (x < y ? -1 : 1))
      return free[0] ?? null
    }
    const record = (chat: string, agent: string | null) => {
      if (agent === null) return waiting.push(chat)
      held.set(chat, agent)
      turns.set(agent, tick++)
    }
    for (step = 0; step < 60; step += 1) {
      const r = rand()
      if (r < 0.2) {
        const who = agents[Math.floor(rand() * agents.length)] as string
        const goOnline = !online.has(who)
        // Offline for presence, not yet for the requeue (that rule has its own test).
        await setOnline([who], goOnline, 2)
        if (goOnline) online.add(who)
        else online.delete(who)
      } else if (r < 0.35 && held.size > 0) {
        const chats = [...held.keys()]
        const chat = chats[Math.floor(rand() * chats.length)] as string
        await db.query(`update public.conversations set status = 'closed' where id = $1`, [chat])
        held.delete(chat)
      } else if (r < 0.45) {
        // The sweeper, before any agent has been offline for the requeue minutes: drains the queue in order.
        const before = waiting.splice(0)
        for (const chat of before) {
          const agent = expected()
          record(chat, agent)
        }
        await sweep()
        for (const chat of before)
          expect(await assigneeOf(chat), `sweep at step ${step}`).toBe(held.get(chat) ?? null)
      } else {
        const want = expected()
        const chat = await handoffChat(t)
        expect(chat.assignee, `handoff at step ${step}`).toBe(want)
        record(chat.id, want)
      }
      const loads = await db.query<{ n: number }>(
        `select count(*)::int as n from public.conversations
         where tenant_id = $1 and status = 'open' and mode = 'human' and assigned_agent_id is not null
         group by assigned_agent_id`,
        [t.tenantId],
      )
      for (const load of loads.rows) expect(load.n).toBeLessThanOrEqual(capacity)
    }
    // The walk exercised the interesting cases, not only the easy one.
    expect(turns.size).toBeGreaterThanOrEqual(3)
    expect(held.size + waiting.length).toBeGreaterThan(capacity)
  })
})
