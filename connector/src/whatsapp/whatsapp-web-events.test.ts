/**
 * The adapter's event wiring, driven by a stand-in for whatsapp-web.js's Client (an
 * EventEmitter emitting the library's event names with Message-shaped payloads).
 */
import { EventEmitter } from 'node:events'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Message } from 'whatsapp-web.js'
import type { TransportEvent } from './transport.ts'
import { WhatsAppWebTransport } from './whatsapp-web.ts'

class FakeClient extends EventEmitter {
  info = { wid: { user: '5215500000000', server: 'c.us', _serialized: '5215500000000@c.us' } }
  lookups: string[][] = []
  constructor(private readonly pn: Record<string, string>) {
    super()
  }
  async getContactLidAndPhone(ids: string[]) {
    this.lookups.push(ids)
    return ids.map((id) => ({ lid: id, pn: this.pn[id] as string }))
  }
}

function wired(pn: Record<string, string> = {}) {
  const transport = new WhatsAppWebTransport({
    sessionPath: '/nonexistent',
    chromiumPath: '/usr/bin/chromium',
    cachePath: '/nonexistent',
    webVersion: null,
    webVersionUrl: null,
    groupsEnabled: false,
    logger: pino({ level: 'silent' }),
  })
  const client = new FakeClient(pn)
  const events: TransportEvent[] = []
  transport.onEvent((e) => events.push(e))
  // The private wiring, exactly as start() applies it to a real Client.
  ;(transport as unknown as { client: unknown }).client = client
  ;(transport as unknown as { attach(c: unknown): void }).attach(client)
  return { client, events }
}

function message(from: string, fromMe = false, to = '5215500000000@c.us'): Message {
  const remote = fromMe ? to : from
  return {
    id: { fromMe, remote, id: '3EB0AB', _serialized: `${fromMe}_${remote}_3EB0AB` },
    from: fromMe ? '5215500000000@c.us' : from,
    to,
    fromMe,
    body: 'hola',
    type: 'chat',
    timestamp: 1764072000,
    hasMedia: false,
    isStatus: from === 'status@broadcast',
    rawData: { notifyName: 'Lucía' },
  } as unknown as Message
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('whatsapp-web adapter events', () => {
  it('resolves a @lid sender to its phone number once, so both id forms share one chat', async () => {
    const { client, events } = wired({ '99887766554433@lid': '5215512345678@c.us' })
    client.emit('message_create', message('99887766554433@lid'))
    client.emit('message_create', message('99887766554433@lid'))
    await settle()
    const chats = events.map((e) => e.kind === 'message' && [e.message.chatId, e.message.customerPhone])
    expect(chats).toEqual([
      ['5215512345678@c.us', '5215512345678'],
      ['5215512345678@c.us', '5215512345678'],
    ])
    expect(client.lookups).toEqual([['99887766554433@lid']])
  })

  it('keeps the @lid when the library cannot resolve it', async () => {
    const { client, events } = wired()
    client.emit('message_create', message('11223344556677@lid'))
    await settle()
    expect(events[0]?.kind === 'message' && events[0].message).toMatchObject({
      chatId: '11223344556677@lid',
      customerPhone: null,
    })
  })

  it('reports own messages under the recipient, and drops status broadcasts and groups', async () => {
    const { client, events } = wired()
    client.emit('message_create', message('', true, '5215512345678@c.us'))
    client.emit('message_create', message('status@broadcast'))
    client.emit('message_create', message('120363041234567890@g.us'))
    await settle()
    expect(events).toHaveLength(1)
    expect(events[0]?.kind === 'message' && events[0].message).toMatchObject({
      chatId: '5215512345678@c.us',
      fromMe: true,
    })
  })

  it('maps acks of our own messages and lifecycle events', async () => {
    const { client, events } = wired()
    client.emit('message_ack', message('', true, '5215512345678@c.us'), 2)
    client.emit('message_ack', message('', true, '5215512345678@c.us'), 0)
    client.emit('qr', '2@abc,def,ghi')
    client.emit('ready')
    client.emit('disconnected', 'CONFLICT')
    client.emit('disconnected', 'LOGOUT')
    await settle()
    expect(events.map((e) => e.kind)).toEqual(['ack', 'qr', 'ready', 'disconnected', 'logged_out'])
    expect(events[0]).toEqual({
      kind: 'ack',
      waMessageId: 'true_5215512345678@c.us_3EB0AB',
      status: 'delivered',
    })
    expect(events[2]).toEqual({ kind: 'ready', phone: '5215500000000' })
  })

  it('reports a delete for everyone and an edit under the chat of the message, @lid resolved like the message', async () => {
    const { client, events } = wired({ '99887766554433@lid': '5215512345678@c.us' })
    // message_revoke_everyone: the model turned `revoked`, the original's key in protocolMessageKey.
    const revoked = {
      ...message('99887766554433@lid'),
      type: 'revoked',
      body: '',
      protocolMessageKey: {
        fromMe: false,
        remote: '99887766554433@lid',
        id: '3EB0ORIG',
        _serialized: 'false_99887766554433@lid_3EB0ORIG',
      },
    } as unknown as Message
    const edited = { ...message('5215512345678@c.us'), latestEditSenderTimestampMs: 1764072060000 } as Message
    client.emit('message_revoke_everyone', revoked, undefined)
    client.emit('message_edit', edited, 'hola, ¿tienen talla L?', 'hola')
    client.emit('message_revoke_everyone', message('120363041234567890@g.us'), undefined)
    await settle()
    // Each change keeps its place behind its own chat's messages; across forms of the id they may interleave.
    const changes = events.map((e) => e.kind === 'changed' && e.change)
    expect(changes).toHaveLength(2)
    expect(changes).toEqual(
      expect.arrayContaining([
        {
          kind: 'revoked',
          waMessageId: 'false_99887766554433@lid_3EB0ORIG',
          chatId: '5215512345678@c.us',
          at: expect.any(Date),
        },
        {
          kind: 'edited',
          waMessageId: 'false_5215512345678@c.us_3EB0AB',
          chatId: '5215512345678@c.us',
          body: 'hola, ¿tienen talla L?',
          at: new Date(1764072060000),
        },
      ]),
    )
  })
})
