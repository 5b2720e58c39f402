import { describe, expect, it } from 'vitest'
import type { Message, MessageId } from 'whatsapp-web.js'
import {
  changeOf,
  chatOf,
  mapAck,
  mapEdit,
  mapMessage,
  mapRevoke,
  phoneOf,
  type WebMessage,
} from './whatsapp-web-mapping.ts'

// Objects shaped like whatsapp-web.js's Message (index.d.ts); `satisfies` keeps them honest.
function webMessage(overrides: Partial<WebMessage> & { rawData?: Record<string, unknown> } = {}): WebMessage {
  const from = overrides.from ?? '5215512345678@c.us'
  const fromMe = overrides.fromMe ?? false
  const id = {
    fromMe,
    remote: fromMe ? (overrides.to ?? '') : from,
    id: '3EB0C767D71D2A5F4A1B',
    _serialized: `${fromMe}_${fromMe ? overrides.to : from}_3EB0C767D71D2A5F4A1B`,
  } satisfies MessageId
  const base = {
    id,
    from,
    to: '5215500000000@c.us',
    author: undefined,
    fromMe,
    body: 'Hola, ¿tienen talla M?',
    type: 'chat' as Message['type'],
    timestamp: 1764072000,
    hasMedia: false,
    isStatus: false,
    location: undefined as unknown as Message['location'],
    duration: '',
    vCards: [],
    rawData: { notifyName: 'Lucía', mimetype: undefined },
  } satisfies WebMessage
  return { ...base, ...overrides }
}

describe('mapMessage', () => {
  it('maps a 1:1 text from a @c.us customer with name, phone and seconds timestamp', () => {
    const mapped = mapMessage(webMessage(), { groupsEnabled: false })
    expect(mapped).toEqual({
      ok: true,
      message: {
        waMessageId: 'false_5215512345678@c.us_3EB0C767D71D2A5F4A1B',
        chatId: '5215512345678@c.us',
        fromMe: false,
        body: 'Hola, ¿tienen talla M?',
        type: 'text',
        media: null,
        customerName: 'Lucía',
        customerPhone: '5215512345678',
        timestamp: new Date(1764072000 * 1000),
      },
    })
  })

  it('keeps a @lid as the chat id and never parses a phone number out of it', () => {
    const mapped = mapMessage(webMessage({ from: '123456789012345@lid' }), { groupsEnabled: false })
    expect(mapped.ok && mapped.message.chatId).toBe('123456789012345@lid')
    expect(mapped.ok && mapped.message.customerPhone).toBeNull()
  })

  it('files an own message under the recipient chat, without a customer name', () => {
    const mapped = mapMessage(
      webMessage({ fromMe: true, from: '5215500000000@c.us', to: '5215512345678@c.us' }),
      { groupsEnabled: false },
    )
    expect(mapped.ok && mapped.message).toMatchObject({
      chatId: '5215512345678@c.us',
      fromMe: true,
      customerName: null,
    })
  })

  it('ignores status broadcasts, channels and broadcast lists', () => {
    expect(
      mapMessage(webMessage({ from: 'status@broadcast', isStatus: true }), { groupsEnabled: true }),
    ).toEqual({
      ok: false,
      reason: 'status',
    })
    expect(
      mapMessage(webMessage({ from: '120363025246125486@newsletter' }), { groupsEnabled: true }),
    ).toEqual({
      ok: false,
      reason: 'channel',
    })
    expect(mapMessage(webMessage({ from: '1764072000@broadcast' }), { groupsEnabled: true })).toEqual({
      ok: false,
      reason: 'broadcast',
    })
  })

  it('ignores groups unless enabled, and then records no phone for the group', () => {
    const group = webMessage({ from: '120363041234567890@g.us', author: '5215512345678@c.us' })
    expect(mapMessage(group, { groupsEnabled: false })).toEqual({ ok: false, reason: 'group' })
    const mapped = mapMessage(group, { groupsEnabled: true })
    expect(mapped.ok && mapped.message).toMatchObject({
      chatId: '120363041234567890@g.us',
      customerPhone: null,
    })
  })

  it.each([
    ['revoked', 'revoked'],
    ['ciphertext', 'ciphertext'],
    ['e2e_notification', 'system'],
    ['gp2', 'system'],
    ['protocol', 'system'],
  ])('ignores revoked, still-encrypted and notification messages: %s as %s', (type, reason) => {
    const mapped = mapMessage(webMessage({ type: type as Message['type'] }), { groupsEnabled: false })
    expect(mapped).toEqual({ ok: false, reason })
  })

  it('records type and metadata of media without downloading it; the caption is the body', () => {
    const image = mapMessage(
      webMessage({
        type: 'image' as Message['type'],
        hasMedia: true,
        body: 'esta',
        rawData: { notifyName: 'Lucía', mimetype: 'image/jpeg', size: 48213, width: 640, height: 480 },
      }),
      { groupsEnabled: false },
    )
    expect(image.ok && image.message).toMatchObject({
      type: 'image',
      body: 'esta',
      media: { waType: 'image', mimetype: 'image/jpeg', size: 48213, width: 640, height: 480 },
    })
    const voice = mapMessage(
      webMessage({
        type: 'ptt' as Message['type'],
        body: '',
        duration: '7',
        rawData: { mimetype: 'audio/ogg; codecs=opus' },
      }),
      { groupsEnabled: false },
    )
    expect(voice.ok && voice.message).toMatchObject({
      type: 'audio',
      media: { waType: 'ptt', durationSeconds: 7, mimetype: 'audio/ogg; codecs=opus', voice: true },
    })
    const doc = mapMessage(
      webMessage({
        type: 'document' as Message['type'],
        rawData: { mimetype: 'application/pdf', filename: 'factura.pdf', size: 1024 },
      }),
      { groupsEnabled: false },
    )
    expect(doc.ok && doc.message.media).toEqual({
      waType: 'document',
      mimetype: 'application/pdf',
      filename: 'factura.pdf',
      size: 1024,
    })
  })

  it('maps a location as structured data, without its thumbnail body', () => {
    const location = mapMessage(
      webMessage({
        type: 'location' as Message['type'],
        body: '/9j/4AAQSkZJRgABAQ',
        location: {
          latitude: '19.4326',
          longitude: '-99.1332',
          name: 'Zócalo',
          address: 'Plaza de la Constitución, CDMX',
        } as unknown as Message['location'],
      }),
      { groupsEnabled: false },
    )
    expect(location.ok && location.message).toMatchObject({ type: 'location', body: '' })
    expect(location.ok && location.message.media?.location).toEqual({
      latitude: 19.4326,
      longitude: -99.1332,
      name: 'Zócalo',
      address: 'Plaza de la Constitución, CDMX',
    })
  })

  it('maps shared contacts to names and numbers, and an unknown type as unsupported', () => {
    const card = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Pérez;Ana;;;',
      'FN:Ana Pérez',
      'item1.TEL;waid=5215511112222:+52 1 55 1111 2222',
      'item1.X-ABLabel:Móvil',
      'TEL;TYPE=WORK:+52 55 5555 0000',
      'END:VCARD',
    ].join('\n')
    const contacts = mapMessage(
      webMessage({
        type: 'multi_vcard' as Message['type'],
        body: '',
        vCards: [card, 'BEGIN:VCARD\nN:Ruiz;Luis\nEND:VCARD'],
      }),
      { groupsEnabled: false },
    )
    expect(contacts.ok && contacts.message).toMatchObject({
      type: 'contacts',
      body: '',
      media: {
        waType: 'multi_vcard',
        contacts: [
          { name: 'Ana Pérez', phones: ['+5215511112222', '+52 55 5555 0000'] },
          { name: 'Luis Ruiz', phones: [] },
        ],
      },
    })
    const poll = mapMessage(webMessage({ type: 'poll_creation' as Message['type'] }), {
      groupsEnabled: false,
    })
    expect(poll.ok && poll.message).toMatchObject({ type: 'unsupported', media: { waType: 'poll_creation' } })
  })
})

describe('ids and acks', () => {
  it('derives phone numbers only from @c.us ids', () => {
    expect(phoneOf('5215512345678@c.us')).toBe('5215512345678')
    expect(phoneOf('123456789012345@lid')).toBeNull()
    expect(phoneOf('120363041234567890@g.us')).toBeNull()
    expect(chatOf({ fromMe: true, from: 'me@c.us', to: 'them@c.us' })).toBe('them@c.us')
  })

  it('maps MessageAck levels to statuses and drops error/pending', () => {
    expect([-1, 0, 1, 2, 3, 4].map(mapAck)).toEqual([null, null, 'sent', 'delivered', 'read', 'read'])
  })
})

describe('mapRevoke and mapEdit', () => {
  const now = new Date('2026-11-25T10:00:00Z')
  const options = { groupsEnabled: false }

  it('takes the revoked id from the model when WhatsApp Web sets no protocolMessageKey', () => {
    expect(mapRevoke(webMessage({ type: 'revoked' as Message['type'] }), options, now)).toEqual({
      kind: 'revoked',
      waMessageId: 'false_5215512345678@c.us_3EB0C767D71D2A5F4A1B',
      chatId: '5215512345678@c.us',
      at: now,
    })
  })

  it('files an edit of our own message under the recipient, at the edit time or now', () => {
    const own = webMessage({ fromMe: true, from: '5215500000000@c.us', to: '5215512345678@c.us' })
    expect(mapEdit(own, 'Llega mañana', options, now)).toMatchObject({
      kind: 'edited',
      chatId: '5215512345678@c.us',
      body: 'Llega mañana',
      at: now,
    })
  })

  it('ignores changes in status broadcasts and in groups unless groups are enabled', () => {
    expect(mapRevoke(webMessage({ isStatus: true, from: 'status@broadcast' }), options, now)).toBeNull()
    const group = webMessage({ from: '120363041234567890@g.us' })
    expect(mapEdit(group, 'x', options, now)).toBeNull()
    expect(mapEdit(group, 'x', { groupsEnabled: true }, now)).toMatchObject({
      chatId: '120363041234567890@g.us',
    })
  })

  it('finds in a fetched message (catch-up) the delete or edit made while the connector was down', () => {
    const revoked = webMessage({ type: 'revoked' as Message['type'], body: '' })
    const edited = { ...webMessage({ body: 'talla L' }), latestEditSenderTimestampMs: 1764072060000 }
    expect(changeOf(revoked, options, now)).toMatchObject({ kind: 'revoked', at: now })
    expect(changeOf(edited, options, now)).toMatchObject({
      kind: 'edited',
      body: 'talla L',
      at: new Date(1764072060000),
    })
    expect(changeOf(webMessage(), options, now)).toBeNull()
  })
})
