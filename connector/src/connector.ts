/**
 * @module
 * Composes one connector from its ports: a transport, a store, the durable buffer. main.ts
 * passes the real adapters; tests pass the simulator and a fake or stand-in-backed store.
 */
import type { Logger } from 'pino'
import { DurableBuffer } from './buffer/durable-buffer.ts'
import { Checkpoint, catchUp } from './ingest/catch-up.ts'
import { IngestFlow } from './ingest/ingest-flow.ts'
import { MediaFlow } from './media/media-flow.ts'
import { type MediaLimits, whatsappLimits } from './media/media-limits.ts'
import { MediaSpool } from './media/media-spool.ts'
import { OutboxWorker } from './outbox/outbox-worker.ts'
import { PendingSends } from './outbox/pending-sends.ts'
import { SessionManager, type SessionSnapshot } from './session/session-manager.ts'
import type { MediaStorage } from './store/media-storage.ts'
import type { MessageStore } from './store/message-store.ts'
import type { WhatsAppTransport } from './whatsapp/transport.ts'

export interface ConnectorOptions {
  channelId: string
  transport: WhatsAppTransport
  store: MessageStore
  storage: MediaStorage
  logger: Logger
  bufferPath: string
  /** Files on their way to Storage (beside the buffer: same volume, same outage story). */
  mediaSpoolPath: string
  mediaLimits?: MediaLimits
  /** How often pending and failed files are looked for (default 30 s). */
  mediaSweepMs?: number
  checkpointPath: string
  outboxPollMs: number
  outboxLeaseSeconds: number
  outboxMaxAttempts: number
  /** How long a graceful stop waits for a send in flight (default 15 s, inside the documented 30 s stop timeout). */
  outboxStopGraceMs?: number
  heartbeatMs: number
  printQr?: (qr: string) => void
  reconnectMs?: number
}

export interface Health {
  ok: boolean
  status: SessionSnapshot['status']
  transport: WhatsAppTransport['name']
  phone: string | null
  lastHeartbeatAt: string | null
  databaseReachable: boolean | null
  lastError: string | null
  bufferDepth: number
  sendsInFlight: number
  ingested: number
  duplicates: number
  sent: number
  failed: number
  mediaStored: number
  mediaFailed: number
}

export interface Connector {
  session: SessionManager
  ingest: IngestFlow
  outbox: OutboxWorker
  media: MediaFlow
  health(): Health
  /** Graceful stop: finish the send in flight (bounded), release claimed rows, close the browser. */
  stop(): Promise<void>
}

export async function startConnector(o: ConnectorOptions): Promise<Connector> {
  const buffer = await DurableBuffer.open(o.bufferPath)
  const pending = new PendingSends()
  const checkpoint = new Checkpoint(o.checkpointPath)
  const media = new MediaFlow({
    store: o.store,
    storage: o.storage,
    transport: o.transport,
    spool: await MediaSpool.open(o.mediaSpoolPath),
    logger: o.logger.child({ flow: 'media' }),
    limits: o.mediaLimits ?? whatsappLimits,
    ...(o.mediaSweepMs ? { sweepMs: o.mediaSweepMs } : {}),
  })
  const ingest = new IngestFlow({
    channelId: o.channelId,
    store: o.store,
    buffer,
    pending,
    logger: o.logger,
    onFilePending: (target) => void media.store(target),
  })
  let session: SessionManager | null = null
  // After each `ready` the outbox claims nothing until catch-up ran: the echo of a send that
  // WhatsApp accepted just before a crash must record its id before the row can be claimed again.
  let caughtUp = false
  // Catch-ups run one after another: a `ready` that comes while the previous catch-up still runs
  // (a quick disconnect) must read the checkpoint that one writes, not the same missing one.
  let catchingUp: Promise<void> = Promise.resolve()
  let readyCount = 0
  const outbox = new OutboxWorker({
    store: o.store,
    storage: o.storage,
    transport: o.transport,
    pending,
    logger: o.logger.child({ flow: 'outbox' }),
    bufferSent: (id, wa) => ingest.bufferSent(id, wa),
    isReady: () => session?.ready ?? false,
    claimsAllowed: () => caughtUp,
    pollMs: o.outboxPollMs,
    leaseSeconds: o.outboxLeaseSeconds,
    maxAttempts: o.outboxMaxAttempts,
    stopGraceMs: o.outboxStopGraceMs,
  })
  const offTraffic = o.transport.onEvent((event) => {
    if (event.kind === 'message') {
      media.prefetch(event.message)
      void ingest.message(event.message)
    } else if (event.kind === 'ack') void ingest.ack(event.waMessageId, event.status)
    else if (event.kind === 'changed') void ingest.change(event.change)
  })
  session = new SessionManager({
    transport: o.transport,
    store: o.store,
    logger: o.logger.child({ flow: 'session' }),
    heartbeatMs: o.heartbeatMs,
    printQr: o.printQr,
    reconnectMs: o.reconnectMs,
    onReady: () => {
      caughtUp = false
      const ready = ++readyCount
      catchingUp = catchingUp
        .then(() => catchUp({ transport: o.transport, ingest, checkpoint, logger: o.logger }))
        .then(
          () => undefined,
          (error: unknown) => o.logger.warn({ err: (error as Error).message }, 'catch-up failed'),
        )
        .finally(() => {
          // Only the catch-up of the latest `ready` opens the outbox again.
          if (ready !== readyCount) return
          caughtUp = true
          outbox.wake()
          // Files left pending by a previous run or an outage, and failed ones that are due.
          void media.sweep(0)
        })
    },
  })
  const checkpointTimer = setInterval(() => {
    if (session?.ready && buffer.depth === 0) void checkpoint.write(new Date()).catch(() => undefined)
  }, o.heartbeatMs)
  checkpointTimer.unref()

  await ingest.resume()
  await session.start()
  await outbox.start()
  media.start()
  const s = session

  return {
    session: s,
    ingest,
    outbox,
    media,
    health: () => {
      const snap = s.snapshot
      return {
        ok: snap.status === 'ready' || snap.status === 'qr',
        status: snap.status,
        transport: o.transport.name,
        phone: snap.phone,
        lastHeartbeatAt: snap.lastHeartbeatAt,
        databaseReachable: snap.databaseReachable,
        lastError: snap.lastError,
        bufferDepth: buffer.depth,
        sendsInFlight: pending.size,
        ingested: ingest.ingested,
        duplicates: ingest.duplicates,
        sent: outbox.sent,
        failed: outbox.failed,
        mediaStored: media.stored,
        mediaFailed: media.failed,
      }
    },
    stop: async () => {
      clearInterval(checkpointTimer)
      await outbox.stop()
      await session.stop()
      // A send the grace period gave up on fails now that the browser is closed; wait for its mark_failed.
      await outbox.settled()
      offTraffic()
      // A catch-up still running writes the checkpoint when it ends: give it a moment to end
      // (bounded, so a stuck one never holds the shutdown).
      await Promise.race([catchingUp, new Promise((resolve) => setTimeout(resolve, 5_000).unref())])
      await ingest.stop()
      await media.stop()
    },
  }
}
