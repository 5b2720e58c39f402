/**
 * @module
 * The `WhatsAppTransport` port: one WhatsApp session as the connector's flows need it.
 * Two adapters implement it: `whatsapp-web.ts` (whatsapp-web.js + Chromium, production) and
 * `simulator.ts` (in-process, for development and tests). Flows depend on this file only.
 */
import type { Readable } from 'node:stream'

/** Message kinds Relevo stores (messages.type in the schema). */
export type MessageType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'unsupported'

/** Message types whose content is a file, fetched with `downloadMedia` after the row is stored. */
export const fileTypes: ReadonlySet<MessageType> = new Set(['image', 'audio', 'video', 'document', 'sticker'])

/** What WhatsApp reports about a non-text message; the file itself comes from `downloadMedia`. */
export interface MediaMeta {
  /** WhatsApp's own type name (`ptt`, `vcard`, …), kept because `type` folds several together. */
  waType: string
  mimetype?: string
  filename?: string
  /** Bytes as WhatsApp announced them, before any download (lets a too-large file be refused unread). */
  size?: number
  durationSeconds?: number
  width?: number
  height?: number
  /** A voice note (WhatsApp `ptt`) rather than an audio file. */
  voice?: boolean
  location?: { latitude: number; longitude: number; name?: string; address?: string }
  contacts?: Array<{ name: string; phones: string[] }>
}

/** The bytes of a media message as a stream, so nothing holds a second copy of the file. */
export interface MediaDownload {
  mimetype: string
  filename?: string
  stream: Readable
}

/** A file to send; whatsapp-web.js takes the whole file as base64, so it is one buffer here. */
export interface OutgoingMedia {
  mimetype: string
  filename?: string
  data: Buffer
  /** Send an audio file as a voice note (WhatsApp `ptt`). */
  voice: boolean
}

/** A message as the flows see it, already mapped from the library's shape. */
export interface InboundMessage {
  /** Serialized WhatsApp id (`true_<chat>_<id>`): the idempotency key of ingest. */
  waMessageId: string
  /** The chat: `<digits>@c.us`, or `<id>@lid` when the phone number could not be resolved, or a group. */
  chatId: string
  /** Typed on the business phone (or sent by this connector: see ingest's pending-send guard). */
  fromMe: boolean
  body: string
  type: MessageType
  media: MediaMeta | null
  customerName: string | null
  /** Digits only with country code, when known; never parsed out of a `@lid`. */
  customerPhone: string | null
  timestamp: Date
}

export type AckStatus = 'sent' | 'delivered' | 'read'

/**
 * A message changed after it was sent, by the customer or on the business phone: deleted for
 * everyone (WhatsApp keeps a "deleted" placeholder) or edited (WhatsApp shows the new text).
 */
export type MessageChange =
  | { kind: 'revoked'; waMessageId: string; chatId: string; at: Date }
  | { kind: 'edited'; waMessageId: string; chatId: string; body: string; at: Date }

export type TransportEvent =
  | { kind: 'qr'; qr: string; expiresAt: Date }
  | { kind: 'ready'; phone: string | null }
  | { kind: 'disconnected'; reason: string }
  | { kind: 'logged_out'; reason: string }
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ack'; waMessageId: string; status: AckStatus }
  | { kind: 'changed'; change: MessageChange }

export type TransportListener = (event: TransportEvent) => void

/** What catch-up reads after `ready`: recent messages of recently active chats, and the deletes and edits on them. */
export interface RecentActivity {
  messages: InboundMessage[]
  changes: MessageChange[]
}

export interface SentMessage {
  waMessageId: string
}

/**
 * One WhatsApp session. Lifecycle events (`qr`, `ready`, `disconnected`, `logged_out`) and
 * traffic (`message`, `ack`, `changed`) arrive through `onEvent`; a listener is attached once and
 * survives restarts of the underlying client.
 */
export interface WhatsAppTransport {
  readonly name: 'simulator' | 'whatsapp-web'
  /** Starts connecting; resolves once the attempt began or failed (throws TransportError). */
  start(): Promise<void>
  /** Stops and frees resources (browser), keeping the linked session for the next start. */
  stop(): Promise<void>
  /** Unlinks the device and clears the stored session; the next start shows a new QR. */
  logout(): Promise<void>
  onEvent(listener: TransportListener): () => void
  /** Sends a text message; throws SendError (with `retryable`) on failure. */
  sendText(chatId: string, body: string): Promise<SentMessage>
  /**
   * Sends a file with `caption` (may be empty); throws SendError like `sendText`. Its echo arrives
   * as a `fromMe` message with the caption as body, like a text send's.
   */
  sendMedia(chatId: string, media: OutgoingMedia, caption: string): Promise<SentMessage>
  /**
   * The file of a media message (incoming, or typed on the phone), read by its WhatsApp id. Throws
   * MediaError: `too_large` over `maxBytes` (before reading when WhatsApp announced the size),
   * `media_gone` when WhatsApp no longer has it, `not_ready` while the session is down.
   */
  downloadMedia(waMessageId: string, maxBytes: number): Promise<MediaDownload>
  /** Shows "typing…" in the chat for ~25 s (WhatsApp clears it by itself). */
  sendStateTyping(chatId: string): Promise<void>
  /** Recent activity of recently active chats, for catch-up after `ready` (events are not replayed). */
  recentActivity(limitPerChat: number): Promise<RecentActivity>
}
