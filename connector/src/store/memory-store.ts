/**
 * @module
 * An in-memory `MessageStore` for flow tests and benchmarks. It follows the SQL functions'
 * contracts (idempotent ingest, phone messages as takeovers, lease-based claims that skip
 * rows with a recorded id, backoff and max attempts, forward-only acks, deletes and edits
 * that never go back) closely enough to
 * exercise the flows. `store-contract.test.ts` runs one contract suite against this fake and
 * against the real SQL functions through the stand-in, so the two cannot drift apart.
 */
import type { AckStatus } from '../whatsapp/transport.ts'
import { StoreRejectedError, StoreUnavailableError } from './errors.ts'
import type {
  ChangeInput,
  ChangeResult,
  ChannelStatusInput,
  IngestInput,
  IngestResult,
  MessageStore,
  OutboxMessage,
  SendFailure,
} from './message-store.ts'

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
      if (existing) {
        return {
          messageId: existing.id,
          conversationId: existing.conversationId,
          duplicate: true,
          author: existing.author,
        }
      }
      const conv = this.conversation(input.chatId, input.customerName)
      const author = input.fromMe ? 'phone' : 'customer'
      const row = this.insert(
        conv.id,
        input.fromMe ? 'out' : 'in',
        author,
        input.body,
        input.fromMe ? 'sent' : 'received',
      )
      row.type = input.type
      row.waMessageId = input.waMessageId
      if (input.fromMe) conv.mode = 'human'
      return { messageId: row.id, conversationId: conv.id, duplicate: false, author }
    })
  }

  /** Queues an outgoing message like send_agent_message / enqueue_ai_reply do. */
  enqueue(chatId: string, body: string, author = 'agent'): MemoryRow {
    const conv = this.conversation(chatId, null)
    const row = this.insert(conv.id, 'out', author, body, 'queued')
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
    }
    this.rows.push(row)
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
