/**
 * @module
 * What the Cloud API flows (webhook in, sender out) need from the database and from Meta's Graph
 * API. The adapters (adapters/supabase-cloud-store.ts, adapters/graph-api.ts) call the SQL functions
 * of the cloud_api migrations and Meta's HTTP API; tests use the Graph API double.
 */

/** A received file that is not in Storage yet (rpc media_to_fetch). */
export interface MediaToFetch {
  messageId: string
  tenantId: string
  conversationId: string
  type: string
  /** The Graph media id the webhook carried (`media.mediaId`). */
  mediaId: string | null
  filename: string | null
}

/** What mark_media_stored merges into the message's media. */
export interface StoredMedia {
  path: string
  mimetype: string
  size: number
  sha256: string
}

/** One Cloud API number as the functions serve it (rpc cloud_api_channel*), secrets included. */
export interface CloudChannel {
  channelId: string
  tenantId: string
  status: string
  phoneNumberId: string
  wabaId: string
  messagesPerSecond: number
  accessToken: string
  appSecret: string
}

/** A customer message mapped to ingest_messages' element (the connector's shape). */
export interface CloudIngest {
  channelId: string
  waMessageId: string
  chatId: string
  body: string
  type: 'text' | 'image' | 'audio' | 'video' | 'document' | 'sticker' | 'location' | 'unsupported'
  media: Record<string, unknown> | null
  customerName: string | null
  customerPhone: string | null
  sentAt: string
}

/** A `statuses[]` item: acks move sent → delivered → read; failed carries Meta's code and title. */
export type CloudStatus =
  | { channelId: string; waMessageId: string; status: 'sent' | 'delivered' | 'read' }
  | { channelId: string; waMessageId: string; status: 'failed'; error: string }

/** A claimed outbox row of a Cloud API channel (rpc claim_cloud_outbox). */
export interface CloudOutboxRow {
  id: string
  conversationId: string
  recipient: string
  body: string
  template: { name: string; language: string; parameters: string[] } | null
  /** An agent's or the AI's file (`messages.media`): sent by link with the body as caption. */
  file: OutgoingFile | null
  attempts: number
}

export interface OutgoingFile {
  path: string
  mimetype: string
  filename: string | null
  /** A voice note: sent as audio, which WhatsApp plays as one when it is OGG/Opus. */
  voice: boolean
}

export interface CloudStore {
  channelForNumber(phoneNumberId: string): Promise<CloudChannel | null>
  channel(channelId: string): Promise<CloudChannel | null>
  verifyTokenKnown(token: string): Promise<boolean>
  /** ingest_messages: idempotent on the wamid; returns how many were new. */
  ingest(messages: CloudIngest[]): Promise<number>
  recordStatus(status: CloudStatus): Promise<void>
  claim(channelId: string, worker: string, limit: number, leaseSeconds: number): Promise<CloudOutboxRow[]>
  markSent(messageId: string, wamid: string): Promise<void>
  markFailed(messageId: string, error: string, retryable: boolean): Promise<void>
  /** When the channel's outbox next has work (a retry's backoff, a lease), or null. */
  nextDue(channelId: string): Promise<number | null>
  setChannelError(channelId: string, error: string): Promise<void>
  recordCheck(channelId: string, info: NumberInfo): Promise<void>
  /** Files still to download: pending (p_pending_age_seconds 0: the webhook just stored them) or due for a retry. */
  mediaToFetch(channelId: string, limit: number): Promise<MediaToFetch[]>
  markMediaStored(messageId: string, media: StoredMedia): Promise<void>
  /** Returns when it is retried (ms since epoch), or null when it will not be. */
  markMediaFailed(messageId: string, error: string, retryable: boolean): Promise<number | null>
  /** The conversation's newest customer message and its Cloud API number; null on a WhatsApp Web number. */
  latestInbound(conversationId: string): Promise<{ channel: CloudChannel; waMessageId: string } | null>
}

/** GET /{phone-number-id}: what the Connection screen's Test shows. */
export interface NumberInfo {
  displayPhoneNumber: string
  verifiedName: string
  qualityRating: string
}

export interface Template {
  name: string
  language: string
  category: string
  status: string
  /** The BODY component's text with {{n}} placeholders. */
  body: string
  parameterCount: number
}

export type OutgoingMessage =
  | { kind: 'text'; to: string; body: string }
  | {
      kind: 'media'
      to: string
      mediaType: 'image' | 'audio' | 'video' | 'document' | 'sticker'
      /** A URL Meta can fetch (a signed Storage URL). */
      link: string
      caption: string
      filename: string | null
    }
  | { kind: 'template'; to: string; template: NonNullable<CloudOutboxRow['template']> }

/** Meta's Graph API for one number, with that number's access token. */
export interface GraphApi {
  /** POST /{phone-number-id}/messages; resolves to the wamid, throws GraphApiError. */
  send(message: OutgoingMessage): Promise<string>
  /** Read receipt plus typing indicator for an inbound message. */
  markRead(waMessageId: string, typing: boolean): Promise<void>
  numberInfo(): Promise<NumberInfo>
  templates(): Promise<Template[]>
  /** GET /{media-id}, then its URL: the file as a stream, its type and (if Meta says) its size. */
  downloadMedia(mediaId: string): Promise<MediaDownload>
}

export interface MediaDownload {
  body: ReadableStream<Uint8Array>
  mimetype: string
  size: number | null
}

export type GraphApiFor = (channel: CloudChannel) => GraphApi

/** A Graph API error object `{error: {code, message, error_data.details}}`, or a network failure (code 0). */
export class GraphApiError extends Error {
  constructor(
    readonly code: number,
    readonly title: string,
    readonly httpStatus: number,
    options: { cause?: unknown } = {},
  ) {
    super(`Graph API error ${code}: ${title}`, options)
    this.name = 'GraphApiError'
  }
}
