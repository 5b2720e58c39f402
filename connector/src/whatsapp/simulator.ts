/**
 * @module
 * An in-process WhatsApp for development and tests. It plays both the WhatsApp servers and
 * the customer's phone, and reproduces the library behaviours the connector must survive:
 * ids in whatsapp-web.js's serialized form, our own sends echoed as `fromMe` messages
 * *before* the send resolves (as `message_create` does), acks later, nothing replayed after
 * a disconnect (only `recentActivity` for catch-up).
 */
import { randomBytes } from 'node:crypto'
import { MediaError, SendError } from './errors.ts'
import {
  type DeliveredFile,
  deliveredFile,
  describeFile,
  type SimulatedFile,
  SimulatedMediaServer,
} from './simulator-media.ts'
import type {
  AckStatus,
  InboundMessage,
  MediaDownload,
  MediaMeta,
  MessageChange,
  OutgoingMedia,
  RecentActivity,
  SentMessage,
  TransportEvent,
  TransportListener,
  WhatsAppTransport,
} from './transport.ts'

export type SimulatorState = 'stopped' | 'qr' | 'ready' | 'disconnected' | 'logged_out'

/** What the customer's phone received from the business. */
export interface SimulatedDelivery {
  waMessageId: string
  chatId: string
  body: string
  ack: AckStatus
  at: string
  /** Deleted for everyone from the business phone: the customer sees a placeholder. */
  deleted?: true
  edited?: true
  /** A file (the body is then its caption). */
  media?: DeliveredFile
}

/** What a customer sends: text, a file (with an optional caption), a location or contacts. */
export interface CustomerInput {
  from: string
  name?: string
  body?: string
  id?: string
  media?: SimulatedFile
  location?: NonNullable<MediaMeta['location']>
  contacts?: NonNullable<MediaMeta['contacts']>
}

export interface SimulatorOptions {
  /** Linked at start (skips the QR). Defaults to true so `pnpm dev` is ready at once. */
  linked?: boolean
  businessPhone?: string
  qrTtlMs?: number
}

/** `5215512345678`, `+52 1 55…` or `…@c.us` → `<digits>@c.us`; `@lid`/`@g.us` ids pass through. */
export function toChatId(from: string): string {
  if (/@(c\.us|lid|g\.us)$/.test(from)) return from
  return `${from.replace(/\D/g, '')}@c.us`
}

/** A whatsapp-web.js style serialized message id: `<fromMe>_<chat>_<3EB0…>`. */
export function simulatedMessageId({ fromMe, chatId }: { fromMe: boolean; chatId: string }): string {
  return `${fromMe}_${chatId}_3EB0${randomBytes(9).toString('hex').toUpperCase()}`
}

export class SimulatorTransport implements WhatsAppTransport {
  readonly name = 'simulator'
  private readonly listeners = new Set<TransportListener>()
  private readonly history: InboundMessage[] = []
  private readonly deliveries: SimulatedDelivery[] = []
  /** Every delete and edit so far, as WhatsApp Web would show them to a catch-up. */
  private readonly changes: MessageChange[] = []
  private readonly typing: string[] = []
  /** WhatsApp's media servers: the files of messages, by WhatsApp id. */
  readonly media = new SimulatedMediaServer()
  private failures: { count: number; retryable: boolean } = { count: 0, retryable: true }
  private held: Array<() => void> | null = null
  /** Whether a held send hangs before WhatsApp accepted the message, or after. */
  private holdAfterDelivery = false
  private sendDelayMs = 0
  private linked: boolean
  private state: SimulatorState = 'stopped'
  private readonly businessPhone: string
  private readonly qrTtlMs: number

  constructor(options: SimulatorOptions = {}) {
    this.linked = options.linked ?? true
    this.businessPhone = options.businessPhone ?? '5215500000000'
    this.qrTtlMs = options.qrTtlMs ?? 60_000
  }

  get currentState(): SimulatorState {
    return this.state
  }

  async start(): Promise<void> {
    if (this.linked) this.becomeReady()
    else this.showQr()
  }

  async stop(): Promise<void> {
    this.state = 'stopped'
    this.releaseHeld()
  }

  /** Deletes the simulated media servers' files (the end of a test or process). */
  close(): void {
    this.media.close()
  }

  async logout(): Promise<void> {
    this.linked = false
    this.state = 'logged_out'
  }

  onEvent(listener: TransportListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  sendText(chatId: string, body: string): Promise<SentMessage> {
    return this.deliver(chatId, body, null)
  }

  sendMedia(chatId: string, media: OutgoingMedia, caption: string): Promise<SentMessage> {
    return this.deliver(chatId, caption, media)
  }

  async downloadMedia(waMessageId: string, maxBytes: number): Promise<MediaDownload> {
    if (this.state !== 'ready') {
      throw new MediaError('not_ready', `WhatsApp is ${this.state}`, {
        retryable: true,
        hint: 'Retried once the session is ready',
      })
    }
    return this.media.open(waMessageId, maxBytes)
  }

  private async deliver(chatId: string, body: string, media: OutgoingMedia | null): Promise<SentMessage> {
    if (this.state !== 'ready') {
      throw new SendError('not_ready', `WhatsApp is ${this.state}`, {
        retryable: true,
        hint: 'Retry once the session is ready',
      })
    }
    if (this.failures.count > 0) {
      this.failures.count -= 1
      const { retryable } = this.failures
      throw new SendError('simulated_failure', 'Simulated send failure', {
        retryable,
        hint: 'Injected by the simulator',
      })
    }
    if (this.held && !this.holdAfterDelivery) await this.hang()
    if (this.sendDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.sendDelayMs))
    const waMessageId = simulatedMessageId({ fromMe: true, chatId })
    const file = media ? deliveredFile(media) : undefined
    this.deliveries.push({
      waMessageId,
      chatId,
      body,
      ack: 'sent',
      at: new Date().toISOString(),
      ...(file ? { media: file } : {}),
    })
    const echo = this.message({
      waMessageId,
      chatId,
      fromMe: true,
      body,
      customerName: null,
      customerPhone: null,
      ...(media ? { type: describeFile(media).type, media: this.media.put(waMessageId, media) } : {}),
    })
    this.history.push(echo)
    // WhatsApp has it, but the process dies before hearing back: no echo event, no answer.
    if (this.held) await this.hang()
    // whatsapp-web.js emits message_create for our own send before sendMessage resolves.
    this.emit({ kind: 'message', message: echo })
    await new Promise((resolve) => setImmediate(resolve))
    return { waMessageId }
  }

  async sendStateTyping(chatId: string): Promise<void> {
    if (this.state === 'ready') this.typing.push(chatId)
  }

  async recentActivity(limitPerChat: number): Promise<RecentActivity> {
    const perChat = new Map<string, InboundMessage[]>()
    for (const m of this.history) perChat.set(m.chatId, [...(perChat.get(m.chatId) ?? []), m])
    return {
      messages: [...perChat.values()].flatMap((list) => list.slice(-limitPerChat)),
      changes: [...this.changes],
    }
  }

  // ---- controls used by the HTTP simulator routes and tests ----

  /** A customer writes. While the session is not ready it is only visible to catch-up. */
  customerMessage(input: CustomerInput): InboundMessage {
    const chatId = toChatId(input.from)
    const waMessageId = input.id ?? simulatedMessageId({ fromMe: false, chatId })
    const phone = chatId.endsWith('@c.us') ? chatId.slice(0, -5) : null
    const message = this.message({
      waMessageId,
      chatId,
      fromMe: false,
      body: input.body ?? '',
      customerName: input.name ?? null,
      customerPhone: phone,
      ...this.content(waMessageId, input),
    })
    this.record(message)
    return message
  }

  /** The type and media metadata of a customer's file, location or contacts card. */
  private content(
    waMessageId: string,
    input: CustomerInput,
  ): Partial<Pick<InboundMessage, 'type' | 'media'>> {
    if (input.media) {
      return { type: describeFile(input.media).type, media: this.media.put(waMessageId, input.media) }
    }
    if (input.location) return { type: 'location', media: { waType: 'location', location: input.location } }
    if (input.contacts) {
      const waType = input.contacts.length > 1 ? 'multi_vcard' : 'vcard'
      return { type: 'contacts', media: { waType, contacts: input.contacts } }
    }
    return {}
  }

  /** The business owner types on the phone itself. */
  phoneMessage(input: { to: string; body: string }): InboundMessage {
    const chatId = toChatId(input.to)
    const message = this.message({
      waMessageId: simulatedMessageId({ fromMe: true, chatId }),
      chatId,
      fromMe: true,
      body: input.body,
      customerName: null,
      customerPhone: null,
    })
    this.record(message)
    return message
  }

  /** The customer's phone reports delivery or read of one of our messages. */
  ack(waMessageId: string, status: 'delivered' | 'read'): boolean {
    const delivery = this.deliveries.find((d) => d.waMessageId === waMessageId)
    if (!delivery) return false
    delivery.ack = status
    this.emit({ kind: 'ack', waMessageId, status })
    return true
  }

  /**
   * Whoever wrote the message (the customer, or the owner for one typed or sent from the
   * business phone) deletes it for everyone. False for an id the simulator never saw.
   */
  revoke(waMessageId: string): boolean {
    const index = this.history.findIndex((m) => m.waMessageId === waMessageId)
    const original = this.history[index]
    if (!original) return false
    // Catch-up skips deleted messages (whatsapp-web.js reports them with type `revoked`).
    this.history.splice(index, 1)
    this.updateDelivery(waMessageId, { body: '', deleted: true })
    this.emit({
      kind: 'changed',
      change: { kind: 'revoked', waMessageId, chatId: original.chatId, at: new Date() },
    })
    return true
  }

  /** Whoever wrote the message edits its text. False for an id the simulator never saw. */
  edit(waMessageId: string, body: string): boolean {
    const original = this.history.find((m) => m.waMessageId === waMessageId)
    if (!original) return false
    original.body = body
    this.updateDelivery(waMessageId, { body, edited: true })
    this.recordChange({ kind: 'edited', waMessageId, chatId: original.chatId, body, at: new Date() })
    return true
  }

  outbox(): readonly SimulatedDelivery[] {
    return this.deliveries
  }

  typingChats(): readonly string[] {
    return this.typing
  }

  failNextSends(count: number, retryable: boolean): void {
    this.failures = { count, retryable }
  }

  /** Each send takes this long (a slow browser), e.g. to stop the connector mid-send. */
  slowSends(ms: number): void {
    this.sendDelayMs = ms
  }

  /**
   * Sends block until stop(): simulates a connector killed mid-send, before WhatsApp accepted
   * the message or (`afterDelivery`) once the customer's phone already has it.
   */
  holdSends(options: { afterDelivery?: boolean } = {}): void {
    this.held = []
    this.holdAfterDelivery = options.afterDelivery ?? false
  }

  /** The phone unlinked this device: logged out, then a fresh QR. */
  requireQr(): void {
    this.linked = false
    this.state = 'logged_out'
    this.emit({ kind: 'logged_out', reason: 'simulated logout' })
  }

  /** The admin scans the QR with the phone. */
  scanQr(): boolean {
    if (this.state !== 'qr') return false
    this.linked = true
    this.becomeReady()
    return true
  }

  /** The connection drops (network, phone offline); the session manager reconnects. */
  disconnect(): void {
    this.state = 'disconnected'
    this.emit({ kind: 'disconnected', reason: 'simulated disconnect' })
  }

  private record(message: InboundMessage): void {
    this.history.push(message)
    if (this.state === 'ready') this.emit({ kind: 'message', message })
  }

  /** Like a message: an event while ready, otherwise only visible to catch-up. */
  private recordChange(change: MessageChange): void {
    this.changes.push(change)
    if (this.state === 'ready') this.emit({ kind: 'changed', change })
  }

  private updateDelivery(waMessageId: string, change: Partial<SimulatedDelivery>): void {
    const delivery = this.deliveries.find((d) => d.waMessageId === waMessageId)
    if (delivery) Object.assign(delivery, change)
  }

  private becomeReady(): void {
    this.state = 'ready'
    this.emit({ kind: 'ready', phone: this.businessPhone })
  }

  private showQr(): void {
    this.state = 'qr'
    const qr = `2@${randomBytes(24).toString('base64')},${randomBytes(32).toString('base64')},SIMULATOR`
    this.emit({ kind: 'qr', qr, expiresAt: new Date(Date.now() + this.qrTtlMs) })
  }

  private async hang(): Promise<never> {
    await new Promise<void>((resolve) => this.held?.push(resolve))
    throw new SendError('stopped', 'Transport stopped during send', {
      retryable: true,
      hint: 'Retry after restart',
    })
  }

  private releaseHeld(): void {
    const held = this.held
    this.held = null
    for (const resolve of held ?? []) resolve()
  }

  private message(
    fields: Pick<
      InboundMessage,
      'waMessageId' | 'chatId' | 'fromMe' | 'body' | 'customerName' | 'customerPhone'
    > &
      Partial<Pick<InboundMessage, 'type' | 'media'>>,
  ): InboundMessage {
    return { type: 'text', media: null, ...fields, timestamp: new Date() }
  }

  private emit(event: TransportEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
