import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Change, Db } from '../types.ts'
import { TenantFeed } from './tenant-feed.svelte.ts'

type Status = 'SUBSCRIBED' | 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED'

/** A fake of the supabase-js realtime surface the feed uses: channel(), on(), subscribe(), track(). */
function fakeClient() {
  const channels: FakeChannel[] = []
  class FakeChannel {
    handlers: Record<string, (msg: { event?: string; payload: unknown; meta?: unknown }) => void> = {}
    statusCallback: (status: Status) => void = () => {}
    tracked: unknown[] = []
    state = 'joining'
    removed = false
    constructor(
      readonly topic: string,
      readonly options: unknown,
    ) {}
    on(type: string, filter: { event: string }, cb: (msg: { payload: unknown }) => void) {
      this.handlers[`${type}:${filter.event}`] = cb
      return this
    }
    subscribe(cb: (status: Status) => void) {
      this.statusCallback = cb
      return this
    }
    track(meta: unknown) {
      this.tracked.push(meta)
      return Promise.resolve('ok')
    }
    presenceState() {
      return {}
    }
    emit(status: Status) {
      this.state = status === 'SUBSCRIBED' ? 'joined' : 'errored'
      this.statusCallback(status)
    }
  }
  const client = {
    realtime: { setAuth: vi.fn(async () => {}) },
    channel: (topic: string, options: unknown) => {
      const ch = new FakeChannel(topic, options)
      channels.push(ch)
      return ch
    },
    removeChannel: async (ch: FakeChannel) => {
      ch.removed = true
      return 'ok'
    },
  }
  return { client: client as unknown as Db, channels, setAuth: client.realtime.setAuth }
}

describe('TenantFeed', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function setup() {
    const fake = fakeClient()
    const changes: Change[] = []
    let joined = 0
    const feed = new TenantFeed({
      db: fake.client,
      tenantId: 'tenant-1',
      me: { user_id: 'u1', name: 'Ana' },
      handlers: {
        onChange: (c) => changes.push(c),
        onJoined: () => joined++,
      },
    })
    return { fake, feed, changes, joined: () => joined }
  }

  it('joins the private tenant topic with the user JWT and tracks presence once live', async () => {
    const { fake, feed } = setup()
    await feed.start()
    expect(fake.setAuth).toHaveBeenCalled()
    const channel = fake.channels[0]
    expect(channel?.topic).toBe('tenant:tenant-1')
    expect(channel?.options).toMatchObject({ config: { private: true, presence: { key: 'u1' } } })
    channel?.emit('SUBSCRIBED')
    expect(feed.status).toBe('live')
    expect(channel?.tracked).toEqual([
      { user_id: 'u1', name: 'Ana', viewing_conversation_id: null, typing: false },
    ])
  })

  it('passes INSERT and UPDATE payloads on', async () => {
    const { fake, feed, changes } = setup()
    await feed.start()
    const payload = {
      operation: 'INSERT',
      table: 'messages',
      schema: 'public',
      record: { id: 'm1' },
      old_record: null,
    }
    fake.channels[0]?.handlers['broadcast:INSERT']?.({ event: 'INSERT', payload, meta: { id: '1' } })
    fake.channels[0]?.handlers['broadcast:UPDATE']?.({
      event: 'UPDATE',
      payload: { ...payload, operation: 'UPDATE' },
      meta: { id: '2' },
    })
    expect(changes.map((c) => c.operation)).toEqual(['INSERT', 'UPDATE'])
  })

  it('ignores events that did not come from the database or lack broadcast_changes shape (ADR 070)', async () => {
    const { fake, feed, changes } = setup()
    await feed.start()
    const forged = {
      operation: 'UPDATE',
      table: 'channels',
      schema: 'public',
      record: { id: 'c1', status: 'qr', qr: 'attacker' },
      old_record: null,
    }
    const send = fake.channels[0]?.handlers['broadcast:UPDATE']
    send?.({ event: 'UPDATE', payload: forged })
    send?.({ event: 'UPDATE', payload: forged, meta: {} })
    send?.({ event: 'UPDATE', payload: { ...forged, schema: 'private' }, meta: { id: '3' } })
    send?.({ event: 'UPDATE', payload: { ...forged, operation: 'INSERT' }, meta: { id: '4' } })
    send?.({ event: 'UPDATE', payload: { ...forged, record: 'x' }, meta: { id: '5' } })
    send?.({ event: 'UPDATE', payload: 'not an object', meta: { id: '6' } })
    expect(changes).toEqual([])
    send?.({ event: 'UPDATE', payload: forged, meta: { id: '7' } })
    expect(changes).toEqual([forged])
  })

  it('reloads after each join, goes offline on a channel error, and rebuilds the channel after a backoff', async () => {
    const { fake, feed, joined } = setup()
    await feed.start()
    fake.channels[0]?.emit('SUBSCRIBED')
    expect(joined()).toBe(1)

    fake.channels[0]?.emit('CHANNEL_ERROR')
    expect(feed.status).toBe('offline')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fake.channels[0]?.removed).toBe(true)
    expect(fake.channels).toHaveLength(2)

    fake.channels[1]?.emit('SUBSCRIBED')
    expect(feed.status).toBe('live')
    expect(joined()).toBe(2)
  })

  it('backs off longer on repeated failures and ignores events from a replaced channel', async () => {
    const { fake, feed } = setup()
    await feed.start()
    fake.channels[0]?.emit('TIMED_OUT')
    await vi.advanceTimersByTimeAsync(1_000)
    fake.channels[1]?.emit('CHANNEL_ERROR')
    await vi.advanceTimersByTimeAsync(1_999)
    expect(fake.channels).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(fake.channels).toHaveLength(3)
    fake.channels[0]?.emit('SUBSCRIBED')
    expect(feed.status).toBe('offline')
  })

  it('only re-tracks presence when what it says changes', async () => {
    const { fake, feed } = setup()
    await feed.start()
    fake.channels[0]?.emit('SUBSCRIBED')
    feed.track({ viewing_conversation_id: 'c1' })
    feed.track({ viewing_conversation_id: 'c1' })
    feed.track({ typing: true })
    expect(fake.channels[0]?.tracked).toHaveLength(3)
  })

  it('stops for good: no retry after stop()', async () => {
    const { fake, feed } = setup()
    await feed.start()
    await feed.stop()
    fake.channels[0]?.emit('CLOSED')
    await vi.advanceTimersByTimeAsync(20_000)
    expect(fake.channels).toHaveLength(1)
  })
})
