/**
 * @module
 * Pure mapping from whatsapp-web.js objects to the transport's types: which chat a message
 * belongs to, what to ignore (status broadcasts, channels, groups unless enabled, protocol
 * and notification types), message types, media metadata, and ack levels. Only *types* come
 * from whatsapp-web.js here; the runtime import lives in whatsapp-web.ts alone.
 */
import type { Message, MessageAck, MessageId } from 'whatsapp-web.js'
import type { AckStatus, InboundMessage, MediaMeta, MessageChange, MessageType } from './transport.ts'
import { parseVCard } from './vcard.ts'

/** The fields of a whatsapp-web.js Message that the mapping reads. */
export type WebMessage = Pick<
  Message,
  | 'id'
  | 'from'
  | 'to'
  | 'author'
  | 'fromMe'
  | 'body'
  | 'type'
  | 'timestamp'
  | 'hasMedia'
  | 'isStatus'
  | 'location'
  | 'duration'
  | 'vCards'
> & { rawData?: object }

/**
 * The fields of a message reported by `message_revoke_everyone` (the model turned `revoked`,
 * with the original's key in `protocolMessageKey` when WhatsApp Web sets it) or `message_edit`.
 */
export type ChangedWebMessage = Pick<Message, 'id' | 'from' | 'to' | 'fromMe' | 'isStatus'> & {
  protocolMessageKey?: MessageId
  latestEditSenderTimestampMs?: number
}

export type IgnoreReason = 'status' | 'channel' | 'broadcast' | 'group' | 'system' | 'revoked' | 'ciphertext'

export type MappedMessage = { ok: true; message: InboundMessage } | { ok: false; reason: IgnoreReason }

const typeMap: Record<string, MessageType> = {
  chat: 'text',
  image: 'image',
  album: 'image',
  audio: 'audio',
  ptt: 'audio',
  video: 'video',
  document: 'document',
  sticker: 'sticker',
  location: 'location',
  vcard: 'contacts',
  multi_vcard: 'contacts',
}

/** Not conversation content: notifications, protocol messages, reactions, call logs. */
const systemTypes = new Set([
  'e2e_notification',
  'gp2',
  'group_notification',
  'notification',
  'notification_template',
  'protocol',
  'call_log',
  'debug',
  'broadcast_notification',
  'reaction',
])

export function isGroupId(id: string): boolean {
  return id.endsWith('@g.us')
}

/** Digits of a `@c.us` id. A `@lid` is opaque: never parse a phone number out of it (wwebjs #201781). */
export function phoneOf(chatId: string): string | null {
  const match = /^(\d{6,20})@c\.us$/.exec(chatId)
  return match?.[1] ?? null
}

/** The chat a message belongs to: the recipient for our own messages, the sender otherwise. */
export function chatOf(msg: Pick<WebMessage, 'fromMe' | 'from' | 'to'>): string {
  return msg.fromMe ? msg.to : msg.from
}

/** Chats whose traffic is not a customer conversation: status, channels, lists, groups unless enabled. */
function ignoredChat(
  chatId: string,
  isStatus: boolean,
  options: { groupsEnabled: boolean },
): IgnoreReason | null {
  if (isStatus || chatId === 'status@broadcast') return 'status'
  if (chatId.endsWith('@newsletter')) return 'channel'
  if (chatId.endsWith('@broadcast')) return 'broadcast'
  if (isGroupId(chatId) && !options.groupsEnabled) return 'group'
  return null
}

export function mapMessage(msg: WebMessage, options: { groupsEnabled: boolean }): MappedMessage {
  const chatId = chatOf(msg)
  const ignored = ignoredChat(chatId, msg.isStatus, options)
  if (ignored) return { ok: false, reason: ignored }
  const waType = String(msg.type)
  if (waType === 'revoked') return { ok: false, reason: 'revoked' }
  // "Waiting for this message": `message_create` fires again once it decrypts.
  if (waType === 'ciphertext') return { ok: false, reason: 'ciphertext' }
  if (systemTypes.has(waType)) return { ok: false, reason: 'system' }

  const raw = (msg.rawData ?? {}) as Record<string, unknown>
  const type = typeMap[waType] ?? 'unsupported'
  return {
    ok: true,
    message: {
      waMessageId: msg.id._serialized,
      chatId,
      fromMe: msg.fromMe,
      // A location's body is its map thumbnail and a contact's its vCard: both live in media.
      body: type === 'location' || type === 'contacts' ? '' : (msg.body ?? ''),
      type,
      media: type === 'text' ? null : mediaOf(msg, waType, raw),
      // notifyName is the name the customer set in WhatsApp (pushname); absent on our own messages.
      customerName: !msg.fromMe && typeof raw.notifyName === 'string' ? raw.notifyName : null,
      customerPhone: isGroupId(chatId) ? null : phoneOf(chatId),
      timestamp: new Date(msg.timestamp * 1000),
    },
  }
}

/** `message_revoke_everyone`: deleted for everyone; `null` for chats Relevo does not keep. */
export function mapRevoke(
  msg: ChangedWebMessage,
  options: { groupsEnabled: boolean },
  now = new Date(),
): MessageChange | null {
  const chatId = chatOf(msg)
  if (ignoredChat(chatId, msg.isStatus, options)) return null
  const waMessageId = msg.protocolMessageKey?._serialized ?? msg.id._serialized
  return { kind: 'revoked', waMessageId, chatId, at: now }
}

/** `message_edit`: the new text, stamped with the sender's edit time when the library has it. */
export function mapEdit(
  msg: ChangedWebMessage,
  newBody: string,
  options: { groupsEnabled: boolean },
  now = new Date(),
): MessageChange | null {
  const chatId = chatOf(msg)
  if (ignoredChat(chatId, msg.isStatus, options)) return null
  const at = msg.latestEditSenderTimestampMs ? new Date(msg.latestEditSenderTimestampMs) : now
  return { kind: 'edited', waMessageId: msg.id._serialized, chatId, body: newBody, at }
}

/**
 * Catch-up: a fetched message deleted or edited while the connector was down shows only in its
 * current state (type `revoked`, or an edit time); this is the change to apply to the stored row.
 */
export function changeOf(
  msg: ChangedWebMessage & Pick<Message, 'type' | 'body'>,
  options: { groupsEnabled: boolean },
  now = new Date(),
): MessageChange | null {
  if (String(msg.type) === 'revoked') return mapRevoke(msg, options, now)
  if (msg.latestEditSenderTimestampMs) return mapEdit(msg, msg.body, options, now)
  return null
}

function mediaOf(msg: WebMessage, waType: string, raw: Record<string, unknown>): MediaMeta {
  const media: MediaMeta = { waType }
  if (typeof raw.mimetype === 'string') media.mimetype = raw.mimetype
  if (typeof raw.filename === 'string') media.filename = raw.filename
  if (typeof raw.size === 'number') media.size = raw.size
  if (typeof raw.width === 'number' && raw.width > 0) media.width = raw.width
  if (typeof raw.height === 'number' && raw.height > 0) media.height = raw.height
  const duration = Number(msg.duration)
  if (Number.isFinite(duration) && duration > 0) media.durationSeconds = duration
  if (waType === 'ptt') media.voice = true
  if (waType === 'location' && msg.location) {
    const { name, address } = msg.location as { name?: string; address?: string }
    media.location = {
      latitude: Number(msg.location.latitude),
      longitude: Number(msg.location.longitude),
      ...(name ? { name } : {}),
      ...(address ? { address } : {}),
    }
  }
  if (waType === 'vcard' || waType === 'multi_vcard') media.contacts = (msg.vCards ?? []).map(parseVCard)
  return media
}

/** MessageAck: 1 server → sent, 2 device → delivered, 3 read / 4 played → read; error and pending carry no news. */
export function mapAck(ack: MessageAck | number): AckStatus | null {
  if (ack === 1) return 'sent'
  if (ack === 2) return 'delivered'
  if (ack === 3 || ack === 4) return 'read'
  return null
}
