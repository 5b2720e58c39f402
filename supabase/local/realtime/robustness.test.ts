import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { eventually, sleep, startStack, type TestStack } from './test-support.ts'
import { TENANT_A, USER_A } from './two-tenants.ts'

type Incoming = { text?: unknown[]; binary?: Buffer }

/** A bare vsn 2.0.0 socket, for what supabase-js cannot be made to send. */
async function rawSocket(stack: TestStack, query = `apikey=${stack.keys.anonKey}&vsn=2.0.0`) {
  const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/realtime/v1/websocket?${query}`)
  const received: Incoming[] = []
  let closed: number | undefined
  ws.on('message', (data, isBinary) => {
    const buffer = data as Buffer
    received.push(isBinary ? { binary: buffer } : { text: JSON.parse(buffer.toString('utf8')) as unknown[] })
  })
  ws.on('close', (code) => {
    closed = code
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    received,
    closedWith: () => closed,
    send: (frame: unknown[]) => ws.send(JSON.stringify(frame)),
    reply: (ref: string) =>
      eventually(() => received.find((m) => m.text?.[1] === ref && m.text?.[3] === 'phx_reply')?.text),
  }
}

function kind3(joinRef: string, ref: string, topic: string, event: string, payload: unknown): Buffer {
  const parts = [joinRef, ref, topic, event, ''].map((part) => Buffer.from(part))
  const body = Buffer.from(JSON.stringify(payload))
  return Buffer.concat([Buffer.from([3, ...parts.map((p) => p.length), 1]), ...parts, body])
}

describe('socket robustness and protocol details', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await startStack({ maxFrameBytes: 64 * 1024 })
  })
  afterAll(() => stack.close())

  it('rejects upgrades without an API key or with another serializer version', async () => {
    const status = (query: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/realtime/v1/websocket?${query}`)
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('error', () => {})
      })
    expect(await status('vsn=2.0.0')).toBe(401)
    expect(await status('apikey=not-a-key&vsn=2.0.0')).toBe(401)
    expect(await status(`apikey=${stack.keys.anonKey}&vsn=1.0.0`)).toBe(400)
  })

  it('answers heartbeats and echoes postgres_changes bindings in order with numeric ids', async () => {
    const socket = await rawSocket(stack)
    socket.send([null, '1', 'phoenix', 'heartbeat', {}])
    expect(await socket.reply('1')).toEqual([
      null,
      '1',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ])
    const bindings = [
      { event: 'UPDATE', schema: 'public', table: 'notes', filter: 'id=eq.7' },
      { event: '*', schema: 'public', table: 'notes' },
    ]
    socket.send(['2', '2', 'realtime:room', 'phx_join', { config: { postgres_changes: bindings } }])
    const reply = (await socket.reply('2')) as [
      string,
      string,
      string,
      string,
      { response: { postgres_changes: { id: unknown }[] } },
    ]
    const echoed = reply[4].response.postgres_changes
    expect(echoed.map(({ id: _id, ...rest }) => rest)).toEqual(bindings)
    expect(echoed.every((b) => typeof b.id === 'number')).toBe(true)
    socket.ws.close()
  })

  it('answers a kind-3 broadcast with kind 4 and acks with the frame ref; stale join refs are refused', async () => {
    const socket = await rawSocket(stack)
    socket.send(['3', '3', 'realtime:echo', 'phx_join', { config: { broadcast: { self: true, ack: true } } }])
    await socket.reply('3')
    socket.ws.send(kind3('3', '4', 'realtime:echo', 'ping', { n: 1 }))
    expect(await socket.reply('4')).toEqual([
      '3',
      '4',
      'realtime:echo',
      'phx_reply',
      { status: 'ok', response: {} },
    ])
    const binary = await eventually(() => socket.received.find((m) => m.binary)?.binary)
    const [kind = 0, topicLength = 0, eventLength = 0, metaLength = 0, encoding] = binary
    expect([kind, encoding]).toEqual([4, 1])
    const topicEnd = 5 + topicLength
    expect(binary.toString('utf8', 5, topicEnd)).toBe('realtime:echo')
    expect(binary.toString('utf8', topicEnd, topicEnd + eventLength)).toBe('ping')
    expect(JSON.parse(binary.toString('utf8', topicEnd + eventLength + metaLength))).toEqual({ n: 1 })

    socket.send(['1', '5', 'realtime:echo', 'presence', { type: 'presence', event: 'track', payload: {} }])
    expect(await socket.reply('5')).toEqual([
      '1',
      '5',
      'realtime:echo',
      'phx_reply',
      { status: 'error', response: { reason: 'unmatched topic' } },
    ])
    socket.ws.close()
  })

  it('accepts sb_ keys, ignores sb_ access_token pushes and closes the channel on a bad token', async () => {
    const socket = await rawSocket(stack, `apikey=${stack.keys.publishableKey}&vsn=2.0.0`)
    socket.send(['1', '1', 'realtime:tokens', 'phx_join', { config: {} }])
    expect((await socket.reply('1'))?.[4]).toEqual({ status: 'ok', response: {} })
    socket.send(['1', '2', 'realtime:tokens', 'access_token', { access_token: stack.keys.publishableKey }])
    socket.send([
      '1',
      '3',
      'realtime:tokens',
      'presence',
      { type: 'presence', event: 'track', payload: { a: 1 } },
    ])
    expect((await socket.reply('3'))?.[4]).toEqual({ status: 'ok', response: {} })
    socket.send(['1', '4', 'realtime:tokens', 'access_token', { access_token: 'not.a.jwt' }])
    const close = await eventually(() => socket.received.find((m) => m.text?.[3] === 'phx_close')?.text)
    expect(close).toEqual(['1', '1', 'realtime:tokens', 'phx_close', {}])
    const system = socket.received.find((m) => m.text?.[3] === 'system')?.text
    expect(system?.[4]).toMatchObject({ status: 'error', message: 'Invalid JWT Token' })
    expect(socket.received.some((m) => m.text?.[1] === '2' || m.text?.[1] === '4')).toBe(false)
    socket.ws.close()
  })

  it('closes only the socket that sends garbage or an oversized frame', async () => {
    const healthy = await rawSocket(stack)
    const garbage = await rawSocket(stack)
    const badBinary = await rawSocket(stack)
    const oversized = await rawSocket(stack)
    garbage.ws.send('{not json')
    badBinary.ws.send(Buffer.from([9, 9, 9]))
    oversized.ws.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', { pad: 'x'.repeat(100 * 1024) }]))
    expect(await eventually(() => garbage.closedWith())).toBe(1007)
    expect(await eventually(() => badBinary.closedWith())).toBe(1007)
    expect(await eventually(() => oversized.closedWith())).toBe(1009)
    healthy.send([null, '9', 'phoenix', 'heartbeat', {}])
    expect(await healthy.reply('9')).toBeDefined()
    healthy.ws.close()
  })

  it('closes a socket that stops sending heartbeats', async () => {
    const impatient = await startStack({ heartbeatTimeoutMs: 600 })
    const alive = await rawSocket(impatient)
    const silent = await rawSocket(impatient)
    const beat = setInterval(() => alive.send([null, String(Date.now()), 'phoenix', 'heartbeat', {}]), 150)
    await eventually(() => silent.closedWith(), 10_000, 'silent socket closed')
    clearInterval(beat)
    expect(alive.closedWith()).toBeUndefined()
    alive.ws.close()
    await impatient.close()
  })

  it('takes 200 supabase-js clients joining at once and delivers one change to each', async () => {
    const token = await stack.tokenFor(USER_A)
    const clients = await Promise.all(Array.from({ length: 200 }, () => stack.client(token)))
    let delivered = 0
    const statuses = await Promise.all(
      clients.map(
        (supabase, i) =>
          new Promise<string>((resolve) => {
            supabase
              .channel(`crowd-${i}`)
              .on(
                'postgres_changes',
                { event: 'INSERT', schema: 'public', table: 'notes', filter: 'body=eq.crowd' },
                () => {
                  delivered++
                },
              )
              .subscribe((status) => {
                if (status !== 'SUBSCRIBED') return resolve(status)
                resolve(status)
              })
          }),
      ),
    )
    expect(statuses.every((status) => status === 'SUBSCRIBED')).toBe(true)
    await stack.db.query(`insert into public.notes (tenant_id, body) values ($1, 'crowd')`, [TENANT_A])
    await eventually(
      () => (delivered === 200 ? true : undefined),
      15_000,
      `200 deliveries (got ${delivered})`,
    )
    await sleep(200)
    expect(delivered).toBe(200)
  }, 60_000)
})
