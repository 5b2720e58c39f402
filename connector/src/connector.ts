/**
 * @module
 * Composes one connector from its ports: a transport, a store, the durable buffer. main.ts
 * passes the real adapters; tests pass the simulator and a fake or stand-in-backed store.
 */
import type { Logger } from 'pino'
import { DurableBuffer } from './buffer/durable-buffer.ts'
import { Checkpoint, catchUp } from './ingest/catch-up.ts'
import { IngestFlow } from './ingest/ingest-flow.ts'
import { OutboxWorker } from './outbox/outbox-worker.ts'
import { PendingSends } from './outbox/pending-sends.ts'
import { SessionManager, type SessionSnapshot } from './session/session-manager.ts'
import type { MessageStore } from './store/message-store.ts'
import type { WhatsAppTransport } from './whatsapp/transport.ts'

export interface ConnectorOptions {
  channelId: string
  transport: WhatsAppTransport
  store: MessageStore
  logger: Logger
  bufferPath: string
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
}

export interface Connector {
  session: SessionManager
  ingest: IngestFlow
  outbox: OutboxWorker
  health(): Health
  /** Graceful stop: finish the send in flight (bounded), release claimed rows, close the browser. */
  stop(): Promise<void>
}

export async function startConnector(o: ConnectorOptions): Promise<Connector> {
  const buffer = await DurableBuffer.open(o.bufferPath)
  const pending = new PendingSends()
  const checkpoint = new Checkpoint(o.checkpointPath)
  const ingest = new IngestFlow({ channelId: o.channelId, store: o.store, buffer, pending, logger: o.logger })
  let session: SessionManager | null = null
  // After each `ready` the outbox claims nothing until catch-up ran: the echo of a send that
  // WhatsApp accepted just before a crash must record its id before the row can be claimed again.
  let caughtUp = false
  const outbox = new OutboxWorker({
    store: o.store,
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
    if (event.kind === 'message') void ingest.message(event.message)
    else if (event.kind === 'ack') void ingest.ack(event.waMessageId, event.status)
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
      catchUp({ transport: o.transport, ingest, checkpoint, logger: o.logger })
        .catch((error: unknown) => o.logger.warn({ err: (error as Error).message }, 'catch-up failed'))
        .finally(() => {
          caughtUp = true
          outbox.wake()
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
  const s = session

  return {
    session: s,
    ingest,
    outbox,
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
      }
    },
    stop: async () => {
      clearInterval(checkpointTimer)
      await outbox.stop()
      await session.stop()
      // A send the grace period gave up on fails now that the browser is closed; wait for its mark_failed.
      await outbox.settled()
      offTraffic()
      await ingest.stop()
    },
  }
}
