/**
 * @module
 * The outbox: learns of queued messages by realtime (`wake`) and by a periodic sweep, claims
 * them with a lease, sends them in order and records the WhatsApp id with mark_sent before
 * anything else — once recorded, claim_outbox never hands the message out again, so it is
 * never sent twice. Failures go to mark_failed (retry with backoff in SQL, or failed); a send
 * cut off by a stop or a timeout keeps its lease instead (ADR 016).
 */
import type { Logger } from 'pino'
import { needsVoiceConversion, toOggOpus, VOICE_NOTE_MIMETYPE } from '../media/voice-note.ts'
import { StoreRejectedError, StoreUnavailableError } from '../store/errors.ts'
import type { MediaStorage } from '../store/media-storage.ts'
import type { MessageStore, OutboxMessage } from '../store/message-store.ts'
import { SendError } from '../whatsapp/errors.ts'
import {
  fileTypes,
  type MessageType,
  type SentMessage,
  type WhatsAppTransport,
} from '../whatsapp/transport.ts'
import type { PendingSends } from './pending-sends.ts'

export interface OutboxWorkerOptions {
  store: MessageStore
  /** Where agents' files are (read whole: WhatsApp Web takes a file in one piece). */
  storage: MediaStorage
  transport: WhatsAppTransport
  pending: PendingSends
  logger: Logger
  /** Where a sent id goes when mark_sent cannot reach the database (the durable buffer). */
  bufferSent: (messageId: string, waMessageId: string) => Promise<void>
  isReady: () => boolean
  /** False while catch-up runs after a `ready`: an echo it finds must be recorded before any claim. */
  claimsAllowed: () => boolean
  pollMs: number
  leaseSeconds: number
  maxAttempts: number
  batchSize?: number
  sendTimeoutMs?: number
  /** How long a graceful stop waits for the send in flight before the transport is closed under it. */
  stopGraceMs?: number
}

type Claimed = OutboxMessage & { chatId: string }

export class OutboxWorker {
  private readonly store: MessageStore
  private readonly storage: MediaStorage
  private readonly transport: WhatsAppTransport
  private readonly pending: PendingSends
  private readonly logger: Logger
  private readonly bufferSent: OutboxWorkerOptions['bufferSent']
  private readonly isReady: () => boolean
  private readonly claimsAllowed: () => boolean
  private readonly pollMs: number
  private readonly leaseSeconds: number
  private readonly maxAttempts: number
  private readonly batchSize: number
  private readonly sendTimeoutMs: number
  private readonly stopGraceMs: number
  private draining: Promise<void> | null = null
  private again = false
  private stopping = false
  private pollTimer: NodeJS.Timeout | null = null
  private unsubscribe: (() => Promise<void>) | null = null
  sent = 0
  failed = 0

  constructor(options: OutboxWorkerOptions) {
    this.store = options.store
    this.storage = options.storage
    this.transport = options.transport
    this.pending = options.pending
    this.logger = options.logger
    this.bufferSent = options.bufferSent
    this.isReady = options.isReady
    this.claimsAllowed = options.claimsAllowed
    this.pollMs = options.pollMs
    this.leaseSeconds = options.leaseSeconds
    this.maxAttempts = options.maxAttempts
    this.batchSize = options.batchSize ?? 10
    this.sendTimeoutMs = options.sendTimeoutMs ?? 60_000
    this.stopGraceMs = options.stopGraceMs ?? 15_000
  }

  async start(): Promise<void> {
    this.pollTimer = setInterval(() => this.wake(), this.pollMs)
    this.pollTimer.unref()
    try {
      this.unsubscribe = await this.store.onOutboxQueued(
        () => this.wake(),
        (chatId) => this.showTyping(chatId),
      )
    } catch (error) {
      // Realtime is an optimisation; the sweep still delivers.
      this.logger.warn({ err: (error as Error).message }, 'outbox realtime unavailable, polling only')
    }
    this.wake()
  }

  /** "typing…" in the customer's chat while the AI composes; cosmetic, so failures only log. */
  private showTyping(chatId: string): void {
    if (this.stopping || !this.isReady()) return
    this.transport
      .sendStateTyping(chatId)
      .catch((error: unknown) =>
        this.logger.debug({ err: (error as Error).message, chatId }, 'typing state not shown'),
      )
  }

  /** Drains the outbox now; coalesces wake-ups that arrive while a drain runs. */
  wake(): void {
    if (this.stopping) return
    if (this.draining) {
      this.again = true
      return
    }
    this.draining = this.drain().finally(() => {
      this.draining = null
      if (this.again) {
        this.again = false
        this.wake()
      }
    })
  }

  /**
   * Lets the send in flight finish (for at most the grace period: a send stuck in the browser
   * must not hold a container's shutdown past Docker's kill), releases the rest of the claimed
   * batch, stops listening. A send still running is settled by `settled()` once the transport closes.
   */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.pollTimer) clearInterval(this.pollTimer)
    const grace = new Promise((resolve) => setTimeout(resolve, this.stopGraceMs).unref())
    await Promise.race([this.draining, grace])
    // Leaving a realtime channel waits for the server; do not let a dead server hold shutdown.
    const unsubscribed = this.unsubscribe?.().catch(() => undefined)
    await Promise.race([unsubscribed, new Promise((resolve) => setTimeout(resolve, 2000).unref())])
  }

  /** Resolves when no drain runs; after the transport stopped, a stuck send fails and ends it. */
  async settled(): Promise<void> {
    await this.draining
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopping && this.isReady() && this.claimsAllowed()) {
        const batch = await this.store.claimOutbox(this.batchSize, this.leaseSeconds)
        if (batch.length === 0) return
        await this.sendBatch(batch)
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'outbox sweep failed; retrying on next wake')
    }
  }

  private async sendBatch(batch: Claimed[]): Promise<void> {
    const blockedChats = new Set<string>()
    for (const message of batch) {
      if (this.stopping || !this.isReady()) {
        await this.release(message, 'connector stopping or WhatsApp not ready')
      } else if (blockedChats.has(message.chatId)) {
        // Order within a chat: never overtake an earlier message that is being retried.
        await this.release(message, 'held back behind an earlier message of this chat')
      } else if (!(await this.sendOne(message))) {
        blockedChats.add(message.chatId)
      }
    }
  }

  /** Returns true when the message reached WhatsApp. */
  private async sendOne(message: Claimed): Promise<boolean> {
    const log = this.logger.child({ messageId: message.id, attempt: message.attempts })
    if (!message.chatId) {
      await this.fail(message, { reason: 'conversation has no WhatsApp chat id', retryable: false })
      return false
    }
    if (fileTypes.has(message.type as MessageType) && !message.media) {
      await this.fail(message, {
        reason: 'the file of this message is not described (path, mimetype)',
        retryable: false,
      })
      return false
    }
    let delivered = false
    try {
      await this.pending.track(message.chatId, async () => {
        const { waMessageId } = await this.withTimeout(this.deliver(message))
        delivered = true
        // Record the id before anything else: from here on the message is never sent again.
        try {
          await this.store.markSent(message.id, waMessageId)
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) throw error
          await this.bufferSent(message.id, waMessageId)
        }
        log.info({ wa: waMessageId }, 'sent')
      })
      this.sent += 1
      return true
    } catch (error) {
      if (delivered) {
        // WhatsApp has it; marking it failed would send it again. Its lease keeps it from
        // re-claims only until expiry, so this is logged loudly for an operator.
        log.error({ err: (error as Error).message }, 'sent but mark_sent was rejected')
        return true
      }
      if (this.stopping || (error instanceof SendError && error.code === 'send_timeout')) {
        // Cut off mid-send: WhatsApp may have the message. Keep the lease: its echo (now, or from
        // catch-up after a restart, before anything is claimed) records it; otherwise it is claimed
        // again when the lease expires. Marking it failed would send it twice.
        log.warn({ err: (error as Error).message }, 'send outcome unknown: lease kept')
        return false
      }
      const retryable = error instanceof SendError ? error.retryable : true
      log.warn({ err: (error as Error).message, retryable }, 'send failed')
      await this.fail(message, { reason: (error as Error).message, retryable })
      return false
    }
  }

  /** Text as text; a file read from Storage and sent with its caption (a voice note as one). */
  private async deliver(message: Claimed): Promise<SentMessage> {
    const { media } = message
    if (!media) return this.transport.sendText(message.chatId, message.body)
    let data: Buffer
    try {
      data = await this.storage.download(media.path)
    } catch (error) {
      throw new SendError('media_unavailable', `file ${media.path}: ${(error as Error).message}`, {
        retryable: !(error instanceof StoreRejectedError),
        hint: 'Upload the file again and resend it',
        cause: error,
      })
    }
    const { filename, voice } = media
    let { mimetype } = media
    if (voice && needsVoiceConversion(mimetype)) {
      data = await toOggOpus(data)
      mimetype = VOICE_NOTE_MIMETYPE
    }
    return this.transport.sendMedia(message.chatId, { mimetype, filename, voice, data }, message.body)
  }

  private async fail(
    message: Claimed,
    { reason, retryable }: { reason: string; retryable: boolean },
  ): Promise<void> {
    try {
      const status = await this.store.markFailed(message.id, {
        error: reason,
        retryable,
        maxAttempts: this.maxAttempts,
      })
      if (status === 'failed') this.failed += 1
    } catch (error) {
      // The lease expires and the message is claimed again: nothing is lost.
      this.logger.warn({ err: (error as Error).message, messageId: message.id }, 'mark_failed not recorded')
    }
  }

  /** Gives a claimed, unsent message back (as a retryable attempt) instead of waiting out its lease. */
  private release(message: Claimed, reason: string): Promise<void> {
    return this.fail(message, { reason, retryable: true })
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.sendTimeoutMs
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SendError('send_timeout', `WhatsApp did not accept the message within ${ms} ms`, {
              retryable: true,
              hint: 'Check the session',
            }),
          ),
        ms,
      )
    })
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
  }
}
