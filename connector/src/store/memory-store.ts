/**
 * @module
 * An in-memory `MessageStore` for flow tests and benchmarks. It follows the SQL functions'
 * contracts (idempotent ingest, phone messages as takeovers, lease-based claims that skip
 * rows with a recorded id, backoff and max attempts, forward-only acks, deletes and edits
 * that never go back) closely enough to
 * exercise the flows. `store-contract.test.ts` runs one contract suite against this fake and
 * against the real SQL functions through the stand-in, so the two cannot drift apart.
 */
import { type AckStatus, fileTypes, type MediaMeta, type MessageType } from '../whatsapp/transport.ts'
import { StoreRejectedError, StoreUnavailableError } from './errors.ts'
import type {
  ChangeInput,
  ChangeResult,
  ChannelStatusInput,
  IngestInput,
  IngestResult,
  MediaFailure,
  MediaStatus,
  MediaToFetch,
  MessageStore,
  OutboxMedia,
  OutboxMessage,
  SendFailure,
  StoredMedia,
} from './message-store.ts'

/** The one tenant of the fake. */
export const memoryTenantId = 'tenant-memory'

export interface MemoryRow {
  id: string
  conversationId: string
  direction: 'in' | 'out'
  author: string
  body: string
  type: string
  status: string
  waMessageId: string | null
  attempts: number
  nextAttemptAt: number
  leaseExpiresAt: number
  error: string | null
  createdAt: number
  deletedAt: string | null
  editedAt: string | null
  media: MediaMeta | null
  /** Outgoing files (send_agent_message's descriptor). */
  outboxMedia: OutboxMedia | null
  stored: StoredMedia | null
  mediaStatus: MediaStatus | null
  mediaError: string | null
  mediaAttempts: number
  mediaRetryAt: number | null
}

export interface MemoryConversation {
  id: string
  chatId: string
  mode: 'ai' | 'human'
  customerName: string | null
}

const rank: Record<string, number> = { sending: 0, sent: 1, delivered: 2, read: 3 }

export class MemoryStore implements MessageStore {
  readonly rows: MemoryRow[] = []
  readonly conversations = new Map<string, MemoryConversation>()
  readonly statuses: ChannelStatusInput[] = []
  relinkRequested = false
  /** While true every call fails like an unreachable database. */
  down = false
  /** Seconds per 2^attempts backoff step (the SQL uses 1; tests use 0). */
  backoffScale = 0
  private wake: (() => void) | null = null
  private composing: ((chatId: string) => void) | null = null
  private seq = 0

  ingestMessage(input: IngestInput): Promise<IngestResult> {
    return this.call(() => {
      const existing = this.rows.find((r) => r.waMessageId === input.waMessageId)
      if (existing) return this.result(existing, true)
      const conv = this.conversation(input.chatId, input.customerName)
      const author = input.fromMe ? 'phone' : 'customer'
      const row = this.insert(
        conv.id,
        input.fromMe ? 'out' : 'in',
        author,
        input.body,
        input.fromMe ? 'sent' : 'received',
      )
      Object.assign(row, {
        type: input.type,
        waMessageId: input.waMessageId,
        media: input.media,
        mediaStatus: fileTypes.has(input.type) ? 'pending' : null,
      })
      if (input.fromMe) conv.mode = 'human'
      return this.result(row, false)
    })
  }

  /** Queues an outgoing message like send_agent_message / enqueue_ai_reply do. */
  enqueue(chatId: string, body: string, author = 'agent', media: OutboxMedia | null = null): MemoryRow {
    const conv = this.conversation(chatId, null)
    const row = this.insert(conv.id, 'out', author, body, 'queued')
    if (media)
      Object.assign(row, { outboxMedia: media, type: outboxType(media.mimetype), mediaStatus: 'stored' })
    this.wake?.()
    return row
  }

  claimOutbox(limit: number, leaseSeconds: number): Promise<Array<OutboxMessage & { chatId: string }>> {
    return this.call(() => {
      if (limit < 1 || limit > 100 || leaseSeconds < 5 || leaseSeconds > 3600) {
        // claim_outbox's own bounds, so a flow the fake accepts is one the database accepts.
        throw new StoreRejectedError(
          400,
          'invalid_argument',
          'claim_outbox: limit must be 1..100 and lease 5..3600 seconds',
          'Fix the connector configuration (OUTBOX_LEASE_SECONDS)',
        )
      }
      const now = Date.now()
      const due = this.rows
        .filter(
          (r) =>
            r.direction === 'out' &&
            r.waMessageId === null &&
            ((r.status === 'queued' && r.nextAttemptAt <= now) ||
              (r.status === 'sending' && r.leaseExpiresAt < now)),
        )
        .slice(0, limit)
      return due.map((r) => {
        Object.assign(r, {
          status: 'sending',
          attempts: r.attempts + 1,
          leaseExpiresAt: now + leaseSeconds * 1000,
        })
        const chatId = [...this.conversations.values()].find((c) => c.id === r.conversationId)?.chatId ?? ''
        return {
          id: r.id,
          conversationId: r.conversationId,
          body: r.body,
          type: r.type,
          media: r.outboxMedia,
          attempts: r.attempts,
          createdAt: '',
          chatId,
        }
      })
    })
  }

  markSent(messageId: string, waMessageId: string): Promise<void> {
    return this.call(() => {
      const row = this.row(messageId)
      Object.assign(row, { waMessageId, leaseExpiresAt: 0, error: null })
      if (row.status !== 'delivered' && row.status !== 'read') row.status = 'sent'
    })
  }

  markFailed(messageId: string, { error, retryable, maxAttempts }: SendFailure): Promise<string> {
    return this.call(() => {
      const row = this.row(messageId)
      if (row.status !== 'sending') return row.status
      row.error = error
      row.leaseExpiresAt = 0
      if (!retryable || row.attempts >= maxAttempts) row.status = 'failed'
      else
        Object.assign(row, {
          status: 'queued',
          nextAttemptAt: Date.now() + 2 ** row.attempts * this.backoffScale * 1000,
        })
      return row.status
    })
  }

  recordAck(waMessageId: string, status: AckStatus): Promise<boolean> {
    return this.call(() => {
      const row = this.rows.find((r) => r.waMessageId === waMessageId && r.direction === 'out')
      if (!row || (rank[row.status] ?? 99) >= (rank[status] ?? 0)) return false
      row.status = status
      return true
    })
  }

  recordChange(change: ChangeInput): Promise<ChangeResult> {
    return this.call(() => {
      const row = this.rows.find((r) => r.waMessageId === change.waMessageId)
      if (!row) return { found: false, duplicate: false }
      if (row.deletedAt || (change.kind === 'edited' && row.editedAt && row.editedAt >= change.at)) {
        return { found: true, duplicate: true }
      }
      if (change.kind === 'revoked') Object.assign(row, { body: '', deletedAt: change.at })
      else Object.assign(row, { body: change.body, editedAt: change.at })
      return { found: true, duplicate: false }
    })
  }

  markMediaStored(messageId: string, media: StoredMedia): Promise<{ stored: boolean }> {
    return this.call(() => {
      const row = this.fileRow(messageId)
      if (!media.path.startsWith(`${memoryTenantId}/${row.conversationId}/${row.id}.`)) {
        throw new StoreRejectedError(400, 'media_path_outside', 'mark_media_stored: wrong path', '')
      }
      if (row.deletedAt) return { stored: false }
      Object.assign(row, { stored: media, mediaStatus: 'stored', mediaError: null, mediaRetryAt: null })
      return { stored: true }
    })
  }

  markMediaFailed(messageId: string, { error, retryable, maxAttempts }: MediaFailure): Promise<void> {
    return this.call(() => {
      const row = this.fileRow(messageId)
      if (row.mediaStatus !== 'pending' && row.mediaStatus !== 'failed') return
      row.mediaAttempts += 1
      const retry = retryable && row.mediaAttempts < maxAttempts
      Object.assign(row, {
        mediaStatus: 'failed',
        mediaError: error,
        mediaRetryAt: retry ? Date.now() + 30_000 * 2 ** (row.mediaAttempts - 1) * this.backoffScale : null,
      })
    })
  }

  mediaToFetch(limit: number, pendingAgeSeconds: number): Promise<MediaToFetch[]> {
    return this.call(() => {
      const now = Date.now()
      return this.rows
        .filter(
          (r) =>
            !r.deletedAt &&
            r.waMessageId &&
            ((r.mediaStatus === 'pending' && r.createdAt <= now - pendingAgeSeconds * 1000) ||
              (r.mediaStatus === 'failed' && r.mediaRetryAt !== null && r.mediaRetryAt <= now)),
        )
        .slice(0, limit)
        .map((r) => ({
          messageId: r.id,
          tenantId: memoryTenantId,
          conversationId: r.conversationId,
          waMessageId: r.waMessageId ?? '',
          type: r.type as MessageType,
          media: r.media,
          attempts: r.mediaAttempts,
        }))
    })
  }

  setChannelStatus(input: ChannelStatusInput): Promise<void> {
    return this.call(() => {
      this.statuses.push(input)
      if (input.status === 'logged_out') this.relinkRequested = false
    })
  }

  heartbeat(): Promise<{ relinkRequested: boolean }> {
    return this.call(() => ({ relinkRequested: this.relinkRequested }))
  }

  async onOutboxQueued(
    wake: () => void,
    aiComposing?: (chatId: string) => void,
  ): Promise<() => Promise<void>> {
    this.wake = wake
    this.composing = aiComposing ?? null
    return async () => {
      this.wake = null
      this.composing = null
    }
  }

  /** Test helper: what announce_ai_composing() does when functions claims an AI run. */
  announceAiComposing(chatId: string): void {
    this.composing?.(chatId)
  }

  private conversation(chatId: string, name: string | null): MemoryConversation {
    let conv = this.conversations.get(chatId)
    if (!conv) {
      conv = { id: `conv-${++this.seq}`, chatId, mode: 'ai', customerName: name }
      this.conversations.set(chatId, conv)
    }
    return conv
  }

  private insert(
    conversationId: string,
    direction: 'in' | 'out',
    author: string,
    body: string,
    status: string,
  ): MemoryRow {
    const row: MemoryRow = {
      id: `msg-${++this.seq}`,
      conversationId,
      direction,
      author,
      body,
      type: 'text',
      status,
      waMessageId: null,
      attempts: 0,
      nextAttemptAt: 0,
      leaseExpiresAt: 0,
      error: null,
      createdAt: Date.now(),
      deletedAt: null,
      editedAt: null,
      media: null,
      outboxMedia: null,
      stored: null,
      mediaStatus: null,
      mediaError: null,
      mediaAttempts: 0,
      mediaRetryAt: null,
    }
    this.rows.push(row)
    return row
  }

  private result(row: MemoryRow, duplicate: boolean): IngestResult {
    return {
      messageId: row.id,
      conversationId: row.conversationId,
      tenantId: memoryTenantId,
      duplicate,
      author: row.author,
      mediaStatus: row.mediaStatus,
    }
  }

  private fileRow(id: string): MemoryRow {
    const row = this.rows.find((r) => r.id === id && r.mediaStatus !== null)
    if (!row)
      throw new StoreRejectedError(404, 'message_not_found', 'No message with a file under that id', '')
    return row
  }

  private row(id: string): MemoryRow {
    const row = this.rows.find((r) => r.id === id)
    if (!row) throw new Error(`no row ${id}`)
    return row
  }

  private async call<T>(fn: () => T): Promise<T> {
    await Promise.resolve()
    if (this.down) throw new StoreUnavailableError('memory store is down')
    return fn()
  }
}

/** send_agent_message's rule: the MIME family decides the message type, anything else is a document. */
function outboxType(mimetype: string): MessageType {
  const family = mimetype.split('/')[0]
  return family === 'image' || family === 'audio' || family === 'video' ? family : 'document'
}
