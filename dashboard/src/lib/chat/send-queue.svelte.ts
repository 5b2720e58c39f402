import type { DeskApi } from '../desk-api.ts'
import { DeskError } from '../desk-error.ts'
import { isOutgoingMedia, type OutgoingMedia } from '../media/outgoing-media.ts'
import type { Message } from '../types.ts'

/** A reply the agent sent that the server has not accepted yet. */
export interface PendingSend {
  clientRef: string
  conversationId: string
  body: string
  /** A file already uploaded to outgoing/ (the body is its caption). */
  media?: OutgoingMedia
  createdAt: string
  state: 'pending' | 'failed'
  errorCode?: string
}

type QueueStorage = Pick<Storage, 'getItem' | 'setItem'>
const STORAGE_KEY = 'relevo.sendQueue'

export interface SendQueueOptions {
  api: Pick<DeskApi, 'send'>
  /** Where pending sends survive a reload; none keeps them in memory only. */
  storage: QueueStorage | undefined
  /** The client_ref of a new send (tests pass a predictable one). */
  newRef?: () => string
  /** The server accepted a send: show its row in the chat. */
  onSent?: (message: Message) => void
  /** The session expired mid-send: sign in again; the queue keeps the send. */
  onAuthExpired?: () => void
}

/**
 * Agent replies go through this queue: shown at once, sent in order, kept (also in localStorage)
 * while the server is unreachable and sent when it returns. The client_ref makes a retry after a
 * lost response idempotent: send_agent_message returns the existing row instead of a second one.
 */
export class SendQueue {
  items = $state<PendingSend[]>([])
  private flushing = false
  private readonly api: Pick<DeskApi, 'send'>
  private readonly storage: QueueStorage | undefined
  private readonly newRef: () => string
  private readonly onSent: (message: Message) => void
  private readonly onAuthExpired: () => void

  constructor({
    api,
    storage,
    newRef = () => crypto.randomUUID(),
    onSent = () => {},
    onAuthExpired = () => {},
  }: SendQueueOptions) {
    this.api = api
    this.storage = storage
    this.newRef = newRef
    this.onSent = onSent
    this.onAuthExpired = onAuthExpired
    const saved = storage?.getItem(STORAGE_KEY)
    if (saved) this.items = parseSaved(saved)
  }

  get waiting(): number {
    return this.items.filter((i) => i.state === 'pending').length
  }

  forConversation(conversationId: string): PendingSend[] {
    return this.items.filter((i) => i.conversationId === conversationId)
  }

  async enqueue(conversationId: string, body: string, media?: OutgoingMedia): Promise<void> {
    const item: PendingSend = {
      clientRef: this.newRef(),
      conversationId,
      body,
      ...(media ? { media } : {}),
      createdAt: new Date().toISOString(),
      state: 'pending',
    }
    this.items = [...this.items, item]
    this.save()
    await this.flush()
  }

  /** Sends pending items in order; stops at the first network failure (the rest would fail too). */
  async flush(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      for (const item of this.items.filter((i) => i.state === 'pending')) {
        try {
          const message = await this.api.send(item.conversationId, item.body, item.clientRef, item.media)
          this.remove(item.clientRef)
          this.onSent(message)
        } catch (error) {
          if (error instanceof DeskError && error.authExpired) {
            this.onAuthExpired()
            return
          }
          if (!(error instanceof DeskError) || error.retryable) return
          this.update(item.clientRef, { state: 'failed', errorCode: error.code })
        }
      }
    } finally {
      this.flushing = false
    }
  }

  async retry(clientRef: string): Promise<void> {
    this.update(clientRef, { state: 'pending', errorCode: undefined })
    await this.flush()
  }

  discard(clientRef: string): void {
    this.remove(clientRef)
  }

  private update(clientRef: string, patch: Partial<PendingSend>): void {
    this.items = this.items.map((i) => (i.clientRef === clientRef ? { ...i, ...patch } : i))
    this.save()
  }

  private remove(clientRef: string): void {
    this.items = this.items.filter((i) => i.clientRef !== clientRef)
    this.save()
  }

  private save(): void {
    this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.items))
  }
}

function parseSaved(text: string): PendingSend[] {
  try {
    const parsed: unknown = JSON.parse(text)
    if (!Array.isArray(parsed)) return []
    return parsed.filter(
      (i): i is PendingSend =>
        typeof i?.clientRef === 'string' &&
        typeof i.conversationId === 'string' &&
        typeof i.body === 'string' &&
        (i.media === undefined || isOutgoingMedia(i.media)),
    )
  } catch {
    return []
  }
}
