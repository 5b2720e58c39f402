/**
 * @module
 * Ingest: every message and ack the transport reports goes to the database through the
 * idempotent SQL functions. Order is kept per chat (one queue per chat; chats run in
 * parallel, up to `concurrency` writes at once). While the database is unreachable, entries
 * go to the durable buffer and are replayed in order on recovery; once the buffer holds
 * anything, new entries queue behind it so order is kept.
 */
import type { Logger } from 'pino'
import type { BufferedEntry, DurableBuffer } from '../buffer/durable-buffer.ts'
import type { MediaTarget } from '../media/media-flow.ts'
import type { PendingSends } from '../outbox/pending-sends.ts'
import { StoreRejectedError } from '../store/errors.ts'
import type { MessageStore } from '../store/message-store.ts'
import type { AckStatus, InboundMessage, MessageChange } from '../whatsapp/transport.ts'

export interface IngestFlowOptions {
  channelId: string
  store: MessageStore
  buffer: DurableBuffer
  pending: PendingSends
  logger: Logger
  /** First replay retry delay; doubles up to `maxRetryMs`. */
  retryMs?: number
  maxRetryMs?: number
  /** Writes in flight at once across chats. */
  concurrency?: number
  /** A stored message whose file is still pending (new, or a duplicate from catch-up or a replay). */
  onFilePending?: (target: MediaTarget) => void
}

export class IngestFlow {
  private readonly channelId: string
  private readonly store: MessageStore
  private readonly buffer: DurableBuffer
  private readonly pending: PendingSends
  private readonly logger: Logger
  private readonly retryMs: number
  private readonly maxRetryMs: number
  private readonly concurrency: number
  private readonly onFilePending: (target: MediaTarget) => void
  private readonly queues = new Map<string, Promise<void>>()
  private replaying: Promise<void> | null = null
  private inFlight = 0
  private readonly waiting: Array<() => void> = []
  private retryTimer: NodeJS.Timeout | null = null
  private retryDelay: number
  private stopped = false
  ingested = 0
  duplicates = 0

  constructor(options: IngestFlowOptions) {
    this.channelId = options.channelId
    this.store = options.store
    this.buffer = options.buffer
    this.pending = options.pending
    this.logger = options.logger
    this.retryMs = options.retryMs ?? 500
    this.maxRetryMs = options.maxRetryMs ?? 30_000
    this.concurrency = options.concurrency ?? 64
    this.onFilePending = options.onFilePending ?? (() => undefined)
    this.retryDelay = this.retryMs
  }

  /** A message from the transport (customer, phone, or the echo of our own send). */
  message(message: InboundMessage): Promise<void> {
    return this.enqueue(message.chatId, async () => {
      // Our own sends come back as fromMe: let them record their id first (PendingSends).
      if (message.fromMe) await this.pending.settled()
      await this.apply({
        kind: 'ingest',
        input: {
          channelId: this.channelId,
          waMessageId: message.waMessageId,
          chatId: message.chatId,
          fromMe: message.fromMe,
          body: message.body,
          customerName: message.customerName,
          customerPhone: message.customerPhone,
          type: message.type,
          media: message.media,
          sentAt: message.timestamp.toISOString(),
        },
      })
    })
  }

  ack(waMessageId: string, status: AckStatus): Promise<void> {
    return this.enqueue('acks', async () => {
      // An ack can beat mark_sent; record_ack only finds the row once the id is recorded.
      await this.pending.settled()
      await this.apply({ kind: 'ack', waMessageId, status })
    })
  }

  /** A delete or an edit: in its chat's queue, so it is stored after the message it changes. */
  change(change: MessageChange): Promise<void> {
    const at = change.at.toISOString()
    return this.enqueue(change.chatId, () =>
      this.apply({
        kind: 'change',
        change:
          change.kind === 'revoked'
            ? { kind: 'revoked', waMessageId: change.waMessageId, at }
            : { kind: 'edited', waMessageId: change.waMessageId, body: change.body, at },
      }),
    )
  }

  /** Called by the outbox when mark_sent could not reach the database: buffered, not lost. */
  async bufferSent(messageId: string, waMessageId: string): Promise<void> {
    await this.buffer.append({ kind: 'sent', messageId, waMessageId })
    this.scheduleReplay(this.retryMs)
  }

  /** Replays what a previous run left in the buffer. */
  resume(): Promise<void> {
    return this.replay().catch((error: unknown) => {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'replay failed')
    })
  }

  /** Resolves when everything queued so far was stored or buffered. */
  async idle(): Promise<void> {
    while (this.queues.size > 0 || this.replaying) {
      await Promise.all([...this.queues.values(), this.replaying])
    }
  }

  stop(): Promise<void> {
    this.stopped = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    return this.idle()
  }

  private async apply(entry: BufferedEntry): Promise<void> {
    if (this.buffer.depth > 0) {
      // Keep order behind what is already buffered; while a retry is scheduled the database
      // is known to be down, so do not pay a timeout per message.
      await this.buffer.append(entry)
      if (!this.retryTimer) await this.replay()
      return
    }
    try {
      await this.write(entry)
    } catch (error) {
      // Unreachable, or an answer we could not parse: keep the entry and try again later.
      const reason = error instanceof Error ? error.message : String(error)
      this.logger.warn({ err: reason, kind: entry.kind }, 'database unreachable: buffering')
      await this.buffer.append(entry)
      this.scheduleReplay(this.retryDelay)
    }
  }

  /** One replay at a time, however many chats ask for it. */
  private replay(): Promise<void> {
    this.replaying ??= this.replayBuffer().finally(() => {
      this.replaying = null
    })
    return this.replaying
  }

  /** Replays the buffer oldest-first; stops at the first unreachable error and retries later. */
  private async replayBuffer(): Promise<void> {
    while (this.buffer.depth > 0) {
      const batch = await this.buffer.peek(100)
      let done = 0
      try {
        for (const entry of batch) {
          await this.write(entry)
          done += 1
        }
      } catch (error) {
        await this.buffer.drop(done)
        const reason = error instanceof Error ? error.message : String(error)
        this.logger.warn({ err: reason, left: this.buffer.depth }, 'replay paused: database unreachable')
        this.retryDelay = Math.min(this.retryDelay * 2, this.maxRetryMs)
        this.scheduleReplay(this.retryDelay)
        return
      }
      await this.buffer.drop(done)
      this.logger.info({ replayed: done, left: this.buffer.depth }, 'buffer replayed')
    }
    this.retryDelay = this.retryMs
  }

  /** One entry to its SQL function. A rejection is logged with its code, never retried forever. */
  private async write(entry: BufferedEntry): Promise<void> {
    try {
      if (entry.kind === 'ingest') {
        const { input } = entry
        const result = await this.store.ingestMessage(input)
        if (result.duplicate) this.duplicates += 1
        else this.ingested += 1
        if (result.mediaStatus === 'pending') {
          const { messageId, tenantId, conversationId } = result
          this.onFilePending({
            messageId,
            tenantId,
            conversationId,
            waMessageId: input.waMessageId,
            type: input.type,
            media: input.media,
          })
        }
        this.logger.debug({ wa: entry.input.waMessageId, ...result }, 'ingested')
      } else if (entry.kind === 'sent') {
        await this.store.markSent(entry.messageId, entry.waMessageId)
      } else if (entry.kind === 'change') {
        const result = await this.store.recordChange(entry.change)
        // Not found: changed before Relevo stored it (older than the first sync); nothing to do.
        this.logger.debug({ wa: entry.change.waMessageId, change: entry.change.kind, ...result }, 'changed')
      } else {
        await this.store.recordAck(entry.waMessageId, entry.status)
      }
    } catch (error) {
      if (!(error instanceof StoreRejectedError)) throw error
      this.logger.error(
        { code: error.code, hint: error.hint, kind: entry.kind, err: error.message },
        'database rejected entry',
      )
    }
  }

  private scheduleReplay(delayMs: number): void {
    if (this.retryTimer || this.stopped) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      void this.resume()
    }, delayMs)
    this.retryTimer.unref()
  }

  /** Runs `task` after the previous task of the same chat, within the global concurrency limit. */
  private enqueue(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve()
    const run = previous
      .then(() => this.slot(task))
      .catch((error: unknown) => {
        this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'ingest failed')
      })
    this.queues.set(key, run)
    void run.then(() => {
      if (this.queues.get(key) === run) this.queues.delete(key)
    })
    return run
  }

  private async slot(task: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.inFlight += 1
    try {
      await task()
    } finally {
      this.inFlight -= 1
      this.waiting.shift()?.()
    }
  }
}
