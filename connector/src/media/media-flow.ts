/**
 * @module
 * Incoming files, after their message row: the row is stored at once (media_status pending) by
 * ingest, and this flow brings the file to Storage:
 *   1. read it from WhatsApp into the spool (refused over the cap, before reading when WhatsApp
 *      announced the size), already when the message arrives (`prefetch`), so that a database
 *      outage or WhatsApp expiring the file later loses nothing;
 *   2. upload it to `media/<tenant>/<conversation>/<message>.<ext>` (upsert: a repeat is harmless);
 *   3. mark_media_stored with its size and SHA-256, then drop it from the spool.
 * A failure is mark_media_failed with the reason (retried with backoff in SQL unless it can never
 * work). The sweep (`media_to_fetch`) finishes what a restart, a database outage or a failure left:
 * on a timer and after each `ready`. Downloads run two at a time: whatsapp-web.js hands each file
 * over as one base64 string, so this bounds the memory a burst of large files costs.
 */

import { objectPath } from '@relevo/contracts/media-paths'
import type { Logger } from 'pino'
import { StoreRejectedError } from '../store/errors.ts'
import type { MediaStorage } from '../store/media-storage.ts'
import type { MediaToFetch, MessageStore } from '../store/message-store.ts'
import { MediaError, tooLarge } from '../whatsapp/errors.ts'
import {
  fileTypes,
  type InboundMessage,
  type MediaMeta,
  type MessageType,
  type WhatsAppTransport,
} from '../whatsapp/transport.ts'
import { capFor, type MediaLimits } from './media-limits.ts'
import type { MediaSpool, SpooledFile } from './media-spool.ts'

/** A stored message whose file is to fetch. */
export type MediaTarget = Omit<MediaToFetch, 'attempts'>

export interface MediaFlowOptions {
  store: MessageStore
  storage: MediaStorage
  transport: WhatsAppTransport
  spool: MediaSpool
  logger: Logger
  limits: MediaLimits
  maxAttempts?: number
  /** Files read from WhatsApp at once. */
  concurrency?: number
  /** How often the sweep looks for pending and failed files. */
  sweepMs?: number
  /** A pending row younger than this is probably still being fetched by this process. */
  pendingAgeSeconds?: number
}

export class MediaFlow {
  private readonly messages: MessageStore
  private readonly storage: MediaStorage
  private readonly transport: WhatsAppTransport
  private readonly spool: MediaSpool
  private readonly logger: Logger
  private readonly limits: MediaLimits
  private readonly maxAttempts: number
  private readonly concurrency: number
  private readonly sweepMs: number
  private readonly pendingAgeSeconds: number
  /** Downloads by WhatsApp id, shared by the prefetch and the store step. */
  private readonly downloads = new Map<string, Promise<SpooledFile>>()
  /** Store steps by message id: a sweep never starts a second one for the same file. */
  private readonly storing = new Map<string, Promise<void>>()
  private readonly waiting: Array<() => void> = []
  private active = 0
  private timer: NodeJS.Timeout | null = null
  private sweeping: Promise<void> | null = null
  stored = 0
  failed = 0

  constructor(options: MediaFlowOptions) {
    this.messages = options.store
    this.storage = options.storage
    this.transport = options.transport
    this.spool = options.spool
    this.logger = options.logger
    this.limits = options.limits
    this.maxAttempts = options.maxAttempts ?? 5
    this.concurrency = options.concurrency ?? 2
    this.sweepMs = options.sweepMs ?? 30_000
    this.pendingAgeSeconds = options.pendingAgeSeconds ?? 60
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.sweepMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.idle()
  }

  /** Resolves when no download, store step or sweep runs. */
  async idle(): Promise<void> {
    while (this.storing.size > 0 || this.downloads.size > 0 || this.sweeping) {
      await Promise.allSettled([...this.storing.values(), ...this.downloads.values(), this.sweeping])
    }
  }

  /** A customer's file arrived: read it now, whatever the database is doing. */
  prefetch(message: InboundMessage): void {
    if (message.fromMe || !fileTypes.has(message.type)) return
    this.spooled(message.waMessageId, message.type, message.media).catch((error: unknown) =>
      this.logger.debug({ wa: message.waMessageId, err: (error as Error).message }, 'prefetch failed'),
    )
  }

  /** The row is stored (or was, and its file is still pending): bring the file to Storage. */
  store(target: MediaTarget): Promise<void> {
    let step = this.storing.get(target.messageId)
    if (!step) {
      step = this.storeFile(target).finally(() => this.storing.delete(target.messageId))
      this.storing.set(target.messageId, step)
    }
    return step
  }

  /** Fetches what is pending (older than `pendingAgeSeconds`) or failed and due. */
  sweep(pendingAgeSeconds = this.pendingAgeSeconds): Promise<void> {
    this.sweeping ??= this.sweepOnce(pendingAgeSeconds).finally(() => {
      this.sweeping = null
    })
    return this.sweeping
  }

  private async sweepOnce(pendingAgeSeconds: number): Promise<void> {
    try {
      const due = await this.messages.mediaToFetch(50, pendingAgeSeconds)
      await Promise.all(due.map((target) => this.store(target)))
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'media sweep failed; retrying on the next one')
    }
  }

  private async storeFile(target: MediaTarget): Promise<void> {
    const log = this.logger.child({ messageId: target.messageId, wa: target.waMessageId })
    let file: SpooledFile
    let path: string
    try {
      file = await this.spooled(target.waMessageId, target.type, target.media)
      path = objectPath(target, file.mimetype, file.filename)
      await this.storage.upload(path, file.localPath, file.mimetype)
    } catch (error) {
      return this.fail(target, error, log)
    }
    const { mimetype, size, sha256, filename } = file
    try {
      const { stored } = await this.messages.markMediaStored(target.messageId, {
        path,
        mimetype,
        size,
        sha256,
        ...(filename ? { filename } : {}),
      })
      // Deleted for everyone while the file was on its way: keep nothing of it.
      if (!stored) await this.storage.remove(path)
    } catch (error) {
      // The database did not take it: the file stays in the spool and the row pending; the sweep ends it.
      log.warn({ err: (error as Error).message }, 'file uploaded, not recorded yet')
      return
    }
    await this.spool.remove(target.waMessageId)
    this.stored += 1
    log.info({ size, type: target.type }, 'media stored')
  }

  private async fail(target: MediaTarget, error: unknown, log: Logger): Promise<void> {
    // Not an attempt: the session is down, the sweep tries again once it is back.
    if (error instanceof MediaError && error.code === 'not_ready') return
    const retryable = error instanceof MediaError ? error.retryable : !(error instanceof StoreRejectedError)
    const reason = error instanceof Error ? error.message : String(error)
    log.warn({ err: reason, retryable }, 'media not stored')
    try {
      await this.messages.markMediaFailed(target.messageId, {
        error: reason,
        retryable,
        maxAttempts: this.maxAttempts,
      })
      this.failed += 1
    } catch (markError) {
      log.warn({ err: (markError as Error).message }, 'media failure not recorded; the sweep retries')
    }
    if (!retryable) await this.spool.remove(target.waMessageId)
  }

  private spooled(waMessageId: string, type: MessageType, media: MediaMeta | null): Promise<SpooledFile> {
    let download = this.downloads.get(waMessageId)
    if (!download) {
      download = this.download(waMessageId, type, media).finally(() => this.downloads.delete(waMessageId))
      this.downloads.set(waMessageId, download)
    }
    return download
  }

  private async download(
    waMessageId: string,
    type: MessageType,
    media: MediaMeta | null,
  ): Promise<SpooledFile> {
    const kept = await this.spool.get(waMessageId)
    if (kept) return kept
    const cap = capFor(type, this.limits)
    if (media?.size !== undefined && media.size > cap) throw tooLarge(media.size, cap)
    await this.slot()
    try {
      return await this.spool.save(waMessageId, await this.transport.downloadMedia(waMessageId, cap), cap)
    } finally {
      this.active -= 1
      this.waiting.shift()?.()
    }
  }

  private async slot(): Promise<void> {
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.active += 1
  }
}
