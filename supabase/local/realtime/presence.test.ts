import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, sleep, startStack, subscribe, type TestStack } from './test-support.ts'
import { TENANT_A, TENANT_B, USER_A, USER_A2, USER_B } from './two-tenants.ts'

describe('presence through supabase-js', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack.close())

  async function agent(user: string, tenant: string) {
    const supabase = await stack.client(await stack.tokenFor(user))
    const channel = supabase.channel(`tenant:${tenant}`, {
      config: { private: true, presence: { key: user } },
    })
    const leaves: string[] = []
    channel.on('presence', { event: 'leave' }, ({ key }) => leaves.push(key))
    channel.on('presence', { event: 'sync' }, () => {})
    expect((await subscribe(channel)).status).toBe('SUBSCRIBED')
    expect(await channel.track({ status: 'online' })).toBe('ok')
    return { supabase, channel, leaves, keys: () => Object.keys(channel.presenceState()).sort() }
  }

  it('shows two agents online, then one after a disconnect, and nothing across tenants', async () => {
    // Anon on the public channel of the same name must not see the private channel's presence.
    const anon = await stack.client()
    const anonDiffs: unknown[] = []
    const anonChannel = anon
      .channel(`tenant:${TENANT_A}`)
      .on('presence', { event: 'join' }, (event) => anonDiffs.push(event))
    expect((await subscribe(anonChannel)).status).toBe('SUBSCRIBED')
    const a1 = await agent(USER_A, TENANT_A)
    const a2 = await agent(USER_A2, TENANT_A)
    const b = await agent(USER_B, TENANT_B)
    await eventually(() => (a1.keys().length === 2 ? true : undefined), 5_000, 'a1 sees both')
    await eventually(() => (a2.keys().length === 2 ? true : undefined), 5_000, 'a2 sees both')
    expect(a1.keys()).toEqual([USER_A, USER_A2].sort())
    expect(a1.channel.presenceState()[USER_A2]?.[0]).toMatchObject({ status: 'online' })

    a2.supabase.realtime.disconnect()
    await eventually(() => (a1.keys().length === 1 ? true : undefined), 3_000, 'a2 gone for a1')
    expect(a1.keys()).toEqual([USER_A])
    expect(a1.leaves).toContain(USER_A2)
    expect(b.keys()).toEqual([USER_B])
    expect(anonDiffs).toEqual([])
    expect(anonChannel.presenceState()).toEqual({})
    anon.realtime.disconnect()
    a1.supabase.realtime.disconnect()
    b.supabase.realtime.disconnect()
    await sleep(200)
  })

  it('untrack removes the meta; a re-track with a new payload replaces it', async () => {
    const a1 = await agent(USER_A, TENANT_A)
    const watcher = await agent(USER_A2, TENANT_A)
    await eventually(() => (watcher.keys().length === 2 ? true : undefined), 5_000, 'both visible')
    expect(await a1.channel.track({ status: 'busy' })).toBe('ok')
    await eventually(
      () =>
        (watcher.channel.presenceState()[USER_A]?.[0] as { status?: string } | undefined)?.status === 'busy'
          ? true
          : undefined,
      5_000,
      'busy',
    )
    expect(watcher.channel.presenceState()[USER_A]).toHaveLength(1)
    expect(await a1.channel.untrack()).toBe('ok')
    await eventually(() => (watcher.keys().length === 1 ? true : undefined), 5_000, 'untracked')
  })

  it('closes the channel after more than 5 presence calls in 30 s, as Supabase does', async () => {
    const supabase = await stack.client(await stack.tokenFor(USER_A))
    const statuses: string[] = []
    const system: { message: string }[] = []
    const channel = supabase
      .channel(`tenant:${TENANT_A}`, { config: { private: true } })
      .on('system', {}, (m) => system.push(m as { message: string }))
    channel.subscribe((status) => statuses.push(status))
    await eventually(() => (statuses.includes('SUBSCRIBED') ? true : undefined), 5_000, 'subscribed')
    for (let i = 0; i < 5; i++) expect(await channel.track({ n: i })).toBe('ok')
    void channel.track({ n: 5 })
    await eventually(() => (statuses.includes('CLOSED') ? true : undefined), 5_000, 'closed by the limit')
    expect(system.map((m) => m.message)).toContain('Client presence rate limit exceeded')
    await sleep(100)
  })
})
