/**
 * @module
 * Session lifecycle: mirrors the transport's state into the channel row (set_channel_status:
 * qr with text and expiry, ready, disconnected, logged_out), sends a heartbeat that also
 * carries re-link requests, reconnects with backoff after a disconnect, and after a logout
 * clears the session and starts over with a new QR.
 */
import type { Logger } from 'pino'
import type { ChannelStatus, ChannelStatusInput, MessageStore } from '../store/message-store.ts'
import type { TransportEvent, WhatsAppTransport } from '../whatsapp/transport.ts'

export interface SessionOptions {
  transport: WhatsAppTransport
  store: MessageStore
  logger: Logger
  heartbeatMs: number
  /** Called on every `ready` (catch-up, outbox wake-up). */
  onReady: () => void
  /** Prints the QR in the terminal (qrcode-terminal in main; nothing in tests). */
  printQr?: (qr: string) => void
  reconnectMs?: number
  maxReconnectMs?: number
}

export interface SessionSnapshot {
  status: ChannelStatus
  qr: { text: string; expiresAt: string } | null
  phone: string | null
  lastHeartbeatAt: string | null
  /** Whether the last heartbeat reached the database (null before the first one). */
  databaseReachable: boolean | null
  lastError: string | null
  reconnectAttempts: number
}

export class SessionManager {
  private readonly transport: WhatsAppTransport
  private readonly store: MessageStore
  private readonly logger: Logger
  private readonly heartbeatMs: number
  private readonly onReady: () => void
  private readonly printQr: ((qr: string) => void) | undefined
  private readonly reconnectMs: number
  private readonly maxReconnectMs: number
  private state: SessionSnapshot = {
    status: 'starting',
    qr: null,
    phone: null,
    lastHeartbeatAt: null,
    databaseReachable: null,
    lastError: null,
    reconnectAttempts: 0,
  }
  private statusChain: Promise<void> = Promise.resolve()
  private unsavedStatus: ChannelStatusInput | null = null
  private heartbeatTimer: NodeJS.Timeout | null = null
  private reconnectTimer: NodeJS.Timeout | null = null
  private stopped = false
  private heartbeating = false
  private off: (() => void) | null = null

  constructor(options: SessionOptions) {
    this.transport = options.transport
    this.store = options.store
    this.logger = options.logger
    this.heartbeatMs = options.heartbeatMs
    this.onReady = options.onReady
    this.printQr = options.printQr
    this.reconnectMs = options.reconnectMs ?? 1_000
    this.maxReconnectMs = options.maxReconnectMs ?? 60_000
  }

  get snapshot(): SessionSnapshot {
    return this.state
  }

  get ready(): boolean {
    return this.state.status === 'ready'
  }

  async start(): Promise<void> {
    this.off = this.transport.onEvent((event) => this.onEvent(event))
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs)
    this.heartbeatTimer.unref()
    await this.connect()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    await this.transport.stop()
    this.off?.()
    await this.statusChain
  }

  /** Resolves once every status change so far was written (or failed and awaits a retry). */
  flush(): Promise<void> {
    return this.statusChain
  }

  /** Heartbeat; also retries a status write that failed and acts on a re-link request. */
  async heartbeat(): Promise<void> {
    // One at a time: a re-link takes longer than the interval and must not run twice.
    if (this.heartbeating) return
    this.heartbeating = true
    try {
      if (this.unsavedStatus) this.setStatus(this.unsavedStatus)
      await this.statusChain
      const { relinkRequested } = await this.store.heartbeat()
      this.state = { ...this.state, lastHeartbeatAt: new Date().toISOString(), databaseReachable: true }
      // Also while showing a QR: the logged_out status is what clears the request in the database.
      if (relinkRequested) await this.relink('re-link requested by an admin')
    } catch (error) {
      this.state = { ...this.state, databaseReachable: false }
      this.logger.warn({ err: (error as Error).message }, 'heartbeat failed')
    } finally {
      this.heartbeating = false
    }
  }

  /** Logs out (unlinking the device and clearing the session), then starts over for a new QR. */
  async relink(reason: string): Promise<void> {
    this.logger.info({ reason }, 'logging out for a new QR')
    await this.transport.logout().catch((error: unknown) => {
      this.logger.warn({ err: (error as Error).message }, 'logout failed; the session is cleared anyway')
    })
    this.setStatus({ status: 'logged_out' })
    await this.connect()
  }

  private onEvent(event: TransportEvent): void {
    if (event.kind === 'qr') {
      this.state = { ...this.state, qr: { text: event.qr, expiresAt: event.expiresAt.toISOString() } }
      this.setStatus({ status: 'qr', qr: event.qr, qrExpiresAt: event.expiresAt })
      this.printQr?.(event.qr)
    } else if (event.kind === 'ready') {
      this.state = { ...this.state, qr: null, phone: event.phone, reconnectAttempts: 0, lastError: null }
      this.setStatus({ status: 'ready', phone: event.phone })
      this.onReady()
    } else if (event.kind === 'disconnected') {
      this.state = { ...this.state, lastError: event.reason }
      this.setStatus({ status: 'disconnected' })
      this.scheduleReconnect()
    } else if (event.kind === 'logged_out') {
      this.state = { ...this.state, lastError: event.reason }
      void this.relink(event.reason)
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return
    this.setStatus({ status: 'starting' })
    try {
      await this.transport.start()
    } catch (error) {
      const reason = (error as Error).message
      this.logger.error(
        { err: reason, hint: (error as { hint?: string }).hint },
        'WhatsApp session failed to start',
      )
      this.state = { ...this.state, lastError: reason }
      this.setStatus({ status: 'disconnected' })
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return
    const attempt = this.state.reconnectAttempts
    const base = this.reconnectMs
    const delay = Math.min(base * 2 ** attempt, this.maxReconnectMs) * (0.8 + Math.random() * 0.4)
    this.state = { ...this.state, reconnectAttempts: attempt + 1 }
    this.logger.info({ attempt: attempt + 1, delayMs: Math.round(delay) }, 'reconnecting')
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null
      void this.transport.stop().then(() => this.connect())
    }, delay)
    this.reconnectTimer.unref()
  }

  /** Status writes keep their order; a failed one is retried by the next heartbeat. */
  private setStatus(input: ChannelStatusInput): void {
    this.state = { ...this.state, status: input.status }
    this.statusChain = this.statusChain.then(async () => {
      try {
        await this.store.setChannelStatus(input)
        this.unsavedStatus = null
      } catch (error) {
        this.unsavedStatus = input
        this.logger.warn({ err: (error as Error).message, status: input.status }, 'channel status not saved')
      }
    })
  }
}
