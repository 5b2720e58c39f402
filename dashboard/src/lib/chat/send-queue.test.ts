import { describe, expect, it } from 'vitest'
import { DeskError } from '../desk-error.ts'
import type { OutgoingMedia } from '../media/outgoing-media.ts'
import type { Message } from '../types.ts'
import { SendQueue } from './send-queue.svelte.ts'

class MemoryStorage {
  data = new Map<string, string>()
  getItem = (k: string) => this.data.get(k) ?? null
  setItem = (k: string, v: string) => void this.data.set(k, v)
}

const offline = () => new DeskError('network', 'Failed to fetch', { retryable: true })

/** A fake of send_agent_message that is idempotent on client_ref, as the SQL function is. */
function fakeServer() {
  const stored = new Map<string, Message>()
  const server = {
    online: true,
    reject: null as DeskError | null,
    calls: [] as string[],
    media: [] as (OutgoingMedia | undefined)[],
    send: async (conversationId: string, body: string, clientRef: string, media?: OutgoingMedia) => {
      server.calls.push(clientRef)
      server.media.push(media)
      if (!server.online) throw offline()
      if (server.reject) throw server.reject
      const existing = stored.get(clientRef)
      if (existing) return existing
      const msg = {
        id: `m${stored.size + 1}`,
        conversation_id: conversationId,
        body,
        client_ref: clientRef,
      } as Message
      stored.set(clientRef, msg)
      return msg
    },
    stored,
  }
  return server
}

let counter = 0
const refs = () => `ref-${++counter}`

describe('SendQueue', () => {
  it('sends at once when online and reports the stored message', async () => {
    const server = fakeServer()
    const sent: Message[] = []
    const queue = new SendQueue({
      api: server,
      storage: new MemoryStorage(),
      newRef: refs,
      onSent: (m) => sent.push(m),
    })
    await queue.enqueue('c1', 'Hola')
    expect(queue.items).toEqual([])
    expect(sent.map((m) => m.body)).toEqual(['Hola'])
  })

  it('keeps sends while offline, in order, and delivers each once when the connection returns', async () => {
    const server = fakeServer()
    server.online = false
    const queue = new SendQueue({ api: server, storage: new MemoryStorage(), newRef: refs })
    await queue.enqueue('c1', 'uno')
    await queue.enqueue('c1', 'dos')
    expect(queue.waiting).toBe(2)
    expect(queue.forConversation('c1').map((i) => i.body)).toEqual(['uno', 'dos'])

    server.online = true
    await queue.flush()
    await queue.flush()
    expect(queue.waiting).toBe(0)
    expect([...server.stored.values()].map((m) => m.body)).toEqual(['uno', 'dos'])
  })

  it('reuses the client_ref on retry so a lost response does not duplicate the message', async () => {
    const server = fakeServer()
    const queue = new SendQueue({ api: server, storage: new MemoryStorage(), newRef: refs })
    server.online = false
    await queue.enqueue('c1', 'once')
    server.online = true
    await queue.flush()
    expect(new Set(server.calls).size).toBe(1)
    expect(server.calls.length).toBe(2)
    expect(server.stored.size).toBe(1)
  })

  it('marks a rejected send failed with its code, and can retry it', async () => {
    const server = fakeServer()
    server.reject = new DeskError('invalid_body', 'too long')
    const queue = new SendQueue({ api: server, storage: new MemoryStorage(), newRef: refs })
    await queue.enqueue('c1', 'x')
    expect(queue.items[0]).toMatchObject({ state: 'failed', errorCode: 'invalid_body' })
    server.reject = null
    await queue.retry(queue.items[0]?.clientRef ?? '')
    expect(queue.items).toEqual([])
  })

  it('keeps an uploaded file with its caption over a reload and sends it once', async () => {
    const storage = new MemoryStorage()
    const server = fakeServer()
    server.online = false
    const file = { path: 't/outgoing/u.pdf', mimetype: 'application/pdf', filename: 'Factura.pdf' }
    await new SendQueue({ api: server, storage, newRef: refs }).enqueue('c1', 'Su factura', file)
    const reloaded = new SendQueue({ api: server, storage, newRef: refs })
    expect(reloaded.items).toMatchObject([{ body: 'Su factura', media: file, state: 'pending' }])
    server.online = true
    await reloaded.flush()
    expect(reloaded.items).toEqual([])
    expect(server.media.at(-1)).toEqual(file)
    expect(server.stored.size).toBe(1)
  })

  it('survives a reload through storage', async () => {
    const storage = new MemoryStorage()
    const server = fakeServer()
    server.online = false
    await new SendQueue({ api: server, storage, newRef: refs }).enqueue('c1', 'kept')
    const reloaded = new SendQueue({ api: server, storage, newRef: refs })
    expect(reloaded.items.map((i) => i.body)).toEqual(['kept'])
  })

  it('stops and asks for a new session when the JWT expired', async () => {
    const server = fakeServer()
    server.reject = new DeskError('session_expired', 'JWT expired', { authExpired: true })
    let expired = 0
    const queue = new SendQueue({
      api: server,
      storage: new MemoryStorage(),
      newRef: refs,
      onAuthExpired: () => expired++,
    })
    await queue.enqueue('c1', 'later')
    expect(expired).toBe(1)
    expect(queue.items[0]?.state).toBe('pending')
  })
})
