/**
 * @module
 * The `MessageStore` port: what the connector's flows need from the database. The only
 * adapter that talks to Supabase is `supabase-store.ts`; tests also use an in-memory fake.
 * Every method maps to one SQL function of supabase/migrations (the rules live there).
 */
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

export interface IngestResult {
  messageId: string
  conversationId: string
  duplicate: boolean
  author: string
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
  body: string
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
