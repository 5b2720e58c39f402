import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, sleep, startStack, subscribe, type TestStack } from './test-support.ts'
import { TENANT_A, TENANT_B, USER_A, USER_A2, USER_B } from './two-tenants.ts'

type Broadcast = { event: string; payload: Record<string, unknown> }

describe('private channels, broadcast from the database and client broadcast', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack.close())

  it('lets a member join its tenant topic and denies the other tenant and anon with Supabase reasons', async () => {
    const member = await stack.client(await stack.tokenFor(USER_A))
    expect(await subscribe(member.channel(`tenant:${TENANT_A}`, { config: { private: true } }))).toEqual({
      status: 'SUBSCRIBED',
    })
    for (const token of [await stack.tokenFor(USER_B), undefined]) {
      const outsider = await stack.client(token)
      const channel = outsider.channel(`tenant:${TENANT_A}`, { config: { private: true } })
      expect(await subscribe(channel)).toEqual({
        status: 'CHANNEL_ERROR',
        error: `Unauthorized: You do not have permissions to read from this Channel topic: tenant:${TENANT_A}`,
      })
      await outsider.removeChannel(channel)
    }
  })

  it('delivers realtime.broadcast_changes from a trigger only to the row tenant', async () => {
    const feed = async (token: string | undefined, tenant: string, isPrivate: boolean) => {
      const supabase = await stack.client(token)
      const seen: Broadcast[] = []
      const channel = supabase
        .channel(`tenant:${tenant}`, { config: { private: isPrivate } })
        .on('broadcast', { event: '*' }, (message) => seen.push(message as unknown as Broadcast))
      expect((await subscribe(channel)).status).toBe('SUBSCRIBED')
      return seen
    }
    const a = await feed(await stack.tokenFor(USER_A), TENANT_A, true)
    const b = await feed(await stack.tokenFor(USER_B), TENANT_B, true)
    const publicListener = await feed(undefined, TENANT_A, false)

    await stack.db.query(`insert into public.notes (tenant_id, body) values ($1, 'broadcast A')`, [TENANT_A])
    const message = await eventually(() => a[0], 5_000, 'broadcast to tenant A')
    expect(message.event).toBe('INSERT')
    expect(message.payload).toMatchObject({
      operation: 'INSERT',
      table: 'notes',
      schema: 'public',
      record: { tenant_id: TENANT_A, body: 'broadcast A' },
      old_record: null,
    })
    await sleep(300)
    expect(b).toEqual([])
    expect(publicListener).toEqual([])

    // A public message (private = false) reaches public channels of the topic and no private ones.
    await stack.db.query(`select realtime.send('{"hello":"world"}'::jsonb, 'greeting', $1, false)`, [
      `tenant:${TENANT_A}`,
    ])
    expect(await eventually(() => publicListener[0], 5_000, 'public message')).toMatchObject({
      event: 'greeting',
      payload: { hello: 'world' },
    })
    await sleep(200)
    expect(a).toHaveLength(1)
  })

  it('broadcasts between members with self and ack, and drops messages of non-members', async () => {
    const topic = `tenant:${TENANT_A}`
    const sender = await stack.client(await stack.tokenFor(USER_A))
    const peer = await stack.client(await stack.tokenFor(USER_A2))
    const fromSender: Broadcast[] = []
    const atPeer: Broadcast[] = []
    const senderChannel = sender
      .channel(topic, { config: { private: true, broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: 'typing' }, (m) => fromSender.push(m as unknown as Broadcast))
    const peerChannel = peer
      .channel(topic, { config: { private: true } })
      .on('broadcast', { event: 'typing' }, (m) => atPeer.push(m as unknown as Broadcast))
    expect((await subscribe(senderChannel)).status).toBe('SUBSCRIBED')
    expect((await subscribe(peerChannel)).status).toBe('SUBSCRIBED')

    expect(await senderChannel.send({ type: 'broadcast', event: 'typing', payload: { who: 'a1' } })).toBe(
      'ok',
    )
    await eventually(() => atPeer[0], 5_000, 'peer receives')
    await eventually(() => fromSender[0], 5_000, 'sender receives its own message (self)')
    expect(atPeer[0]).toMatchObject({ event: 'typing', payload: { who: 'a1' } })

    // Without self, the sender does not hear itself.
    expect(await peerChannel.send({ type: 'broadcast', event: 'typing', payload: { who: 'a2' } })).toBe('ok')
    await eventually(() => fromSender.find((m) => m.payload.who === 'a2'), 5_000, 'sender hears the peer')
    await sleep(200)
    expect(atPeer.map((m) => m.payload.who)).toEqual(['a1'])
  })

  it('a presence-only policy drops client broadcasts, keeps presence, and marks database broadcasts with meta.id', async () => {
    const topic = `feed:${TENANT_A}`
    const forger = await stack.client(await stack.tokenFor(USER_A))
    const desk = await stack.client(await stack.tokenFor(USER_A2))
    const atDesk: (Broadcast & { meta?: { id?: unknown } })[] = []
    const forgerChannel = forger.channel(topic, {
      config: { private: true, broadcast: { self: true, ack: true }, presence: { key: 'a1' } },
    })
    const deskChannel = desk
      .channel(topic, { config: { private: true } })
      .on('broadcast', { event: '*' }, (m) => atDesk.push(m as unknown as Broadcast))
      .on('presence', { event: 'sync' }, () => {})
    expect((await subscribe(forgerChannel)).status).toBe('SUBSCRIBED')
    expect((await subscribe(deskChannel)).status).toBe('SUBSCRIBED')

    const forged = { operation: 'UPDATE', table: 'channels', schema: 'public', record: { qr: 'attacker' } }
    expect(await forgerChannel.send({ type: 'broadcast', event: 'UPDATE', payload: forged })).toBe('ok')
    expect(await forgerChannel.track({ online: true })).toBe('ok')
    await eventually(() => deskChannel.presenceState().a1, 5_000, 'presence still works')

    await stack.db.query(`select realtime.send('{"real":true}'::jsonb, 'UPDATE', $1, true)`, [topic])
    const real = await eventually(() => atDesk[0], 5_000, 'database broadcast')
    expect(real).toMatchObject({ event: 'UPDATE', payload: { real: true }, meta: { id: expect.any(String) } })
    await sleep(200)
    expect(atDesk).toHaveLength(1)
  })

  it('closes a private channel whose token is replaced by one without access, or expires', async () => {
    const topic = `tenant:${TENANT_A}`
    const supabase = await stack.client(await stack.tokenFor(USER_A))
    const system: { message: string }[] = []
    const statuses: string[] = []
    const channel = supabase
      .channel(topic, { config: { private: true } })
      .on('system', {}, (m) => system.push(m as { message: string }))
    channel.subscribe((status) => statuses.push(status))
    await eventually(() => (statuses.includes('SUBSCRIBED') ? true : undefined), 5_000, 'subscribed')
    await supabase.realtime.setAuth(await stack.tokenFor(USER_B))
    await eventually(() => (statuses.includes('CLOSED') ? true : undefined), 5_000, 'closed after token swap')
    expect(system.map((m) => m.message)).toContain(
      `You no longer have permission to read from this Channel topic: ${topic}`,
    )

    const shortLived = await stack.client(await stack.tokenFor(USER_A, 2))
    const expiring: string[] = []
    const expiringSystem: { message: string }[] = []
    shortLived
      .channel(topic, { config: { private: true } })
      .on('system', {}, (m) => expiringSystem.push(m as { message: string }))
      .subscribe((status) => expiring.push(status))
    await eventually(
      () => (expiring.includes('SUBSCRIBED') ? true : undefined),
      5_000,
      'short-lived subscribed',
    )
    await eventually(() => (expiring.includes('CLOSED') ? true : undefined), 6_000, 'closed at expiry')
    expect(expiringSystem[0]?.message).toMatch(/^Token has expired/)
  })
})
