/**
 * @module
 * The `MessageStore` port: what the connector's flows need from the database. The only
 * adapter that talks to Supabase is `supabase-store.ts`; tests also use an in-memory fake.
 * Every method maps to one SQL function of supabase/migrations (the rules live there).
 */
import type { MediaStatus } from '@relevo/supabase/enums'
import type { AckStatus, MediaMeta, MessageType } from '../whatsapp/transport.ts'

export type ChannelStatus = 'starting' | 'qr' | 'ready' | 'disconnected' | 'logged_out'

export interface IngestInput {
  channelId: string
  waMessageId: string
  chatId: string
  fromMe: boolean
  body: string
  customerName: string | null
  customerPhone: string | null
  type: MessageType
  media: MediaMeta | null
  /** WhatsApp's own timestamp (ISO); absent in entries buffered by older versions. */
  sentAt?: string | null
}

export type { MediaStatus }

export interface IngestResult {
  messageId: string
  conversationId: string
  tenantId: string
  duplicate: boolean
  author: string
  /** `pending` or `failed`: the file still has to be fetched (also for a duplicate from catch-up). */
  mediaStatus: MediaStatus | null
}

/** A file in the bucket `media`, as mark_media_stored records it on the message. */
export interface StoredMedia {
  /** `<tenant>/<conversation>/<message>.<ext>` inside the bucket. */
  path: string
  mimetype: string
  size: number
  sha256: string
  filename?: string
  durationSeconds?: number
  width?: number
  height?: number
}

/** A file message whose file is still to fetch (media_to_fetch). */
export interface MediaToFetch {
  messageId: string
  tenantId: string
  conversationId: string
  waMessageId: string
  type: MessageType
  media: MediaMeta | null
  attempts: number
}

/** Why fetching a file failed; not retryable: refused for good (too large, gone). */
export interface MediaFailure {
  error: string
  retryable: boolean
  maxAttempts: number
}

/** The file an agent attached to an outgoing message (send_agent_message's p_media). */
export interface OutboxMedia {
  path: string
  mimetype: string
  filename?: string
  voice: boolean
}

/** A stored message deleted for everyone or edited on WhatsApp; `at` is ISO. */
export type ChangeInput =
  | { kind: 'revoked'; waMessageId: string; at: string }
  | { kind: 'edited'; waMessageId: string; body: string; at: string }

/** `found` false: the message was never stored (older than the first sync). */
export interface ChangeResult {
  found: boolean
  duplicate: boolean
}

/** An outgoing message claimed with a lease (a row of public.messages, in camelCase). */
export interface OutboxMessage {
  id: string
  conversationId: string
  /** The text, or the caption of `media`. */
  body: string
  /** `text`, or the kind of file `media` is (a file type whose media is null cannot be sent). */
  type: string
  media: OutboxMedia | null
  attempts: number
  createdAt: string
}

/** Why a send failed, and whether mark_failed may queue it again (up to `maxAttempts` attempts). */
export interface SendFailure {
  error: string
  retryable: boolean
  maxAttempts: number
}

export interface ChannelStatusInput {
  status: ChannelStatus
  qr?: string | null
  qrExpiresAt?: Date | null
  phone?: string | null
}

export interface MessageStore {
  ingestMessage(input: IngestInput): Promise<IngestResult>
  /** Claims due outbox rows (oldest first) and returns them with the chat they go to. */
  claimOutbox(limit: number, leaseSeconds: number): Promise<Array<OutboxMessage & { chatId: string }>>
  markSent(messageId: string, waMessageId: string): Promise<void>
  /** Returns the resulting status: `queued` (will retry) or `failed`. */
  markFailed(messageId: string, failure: SendFailure): Promise<string>
  recordAck(waMessageId: string, status: AckStatus): Promise<boolean>
  /** mark_media_stored: `stored` false when the message was deleted meanwhile (remove the file). */
  markMediaStored(messageId: string, media: StoredMedia): Promise<{ stored: boolean }>
  /** mark_media_failed: retried later by `mediaToFetch` unless not retryable or out of attempts. */
  markMediaFailed(messageId: string, failure: MediaFailure): Promise<void>
  /** media_to_fetch: pending for longer than `pendingAgeSeconds`, or failed and due. */
  mediaToFetch(limit: number, pendingAgeSeconds: number): Promise<MediaToFetch[]>
  /** record_revoke / record_edit: idempotent, an older edit never overwrites a newer one. */
  recordChange(change: ChangeInput): Promise<ChangeResult>
  setChannelStatus(input: ChannelStatusInput): Promise<void>
  /** Heartbeat; tells whether an admin asked to re-link the number. */
  heartbeat(): Promise<{ relinkRequested: boolean }>
  /**
   * Wakes the outbox when a message is queued (realtime) and, when given, says which chat the
   * AI started composing a reply for (to show "typing…"); returns an unsubscribe.
   */
  onOutboxQueued(wake: () => void, aiComposing?: (chatId: string) => void): Promise<() => Promise<void>>
}
