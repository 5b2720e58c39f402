/**
 * @module
 * The production transport: whatsapp-web.js 1.34.7 driving Debian Chromium through puppeteer.
 * The only file that imports whatsapp-web.js at run time. Facts it relies on (read from the
 * library's source): the package is CommonJS (named ESM imports fail), `ready`
 * can fire more than once, `message_create` covers incoming and own messages, a WAState
 * `disconnected` destroys the client (build a new one), and a failed `initialize()` leaves
 * Chromium running unless `destroy()` is called.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Client, ClientOptions, Message } from 'whatsapp-web.js'
import wweb from 'whatsapp-web.js'
import { MediaError, SendError, TransportError } from './errors.ts'
import type {
  InboundMessage,
  MediaDownload,
  MessageChange,
  OutgoingMedia,
  RecentActivity,
  SentMessage,
  TransportListener,
  WhatsAppTransport,
} from './transport.ts'
import { changeOf, mapAck, mapEdit, mapMessage, mapRevoke, phoneOf } from './whatsapp-web-mapping.ts'
import { downloadWebMedia } from './whatsapp-web-media.ts'

const { Client: WebClient, LocalAuth, MessageMedia } = wweb

export interface WhatsAppWebOptions {
  sessionPath: string
  chromiumPath: string
  cachePath: string
  webVersion: string | null
  webVersionUrl: string | null
  groupsEnabled: boolean
  logger: Logger
  /** initialize() has no timeout of its own (page.goto with timeout 0). */
  startTimeoutMs?: number
  /** Extra Chromium flags, e.g. `--proxy-server=…` where egress goes through a proxy. */
  extraChromiumArgs?: string[]
}

/** Docker-safe flags: no sandbox (non-root without user namespaces), no /dev/shm (64 MB in Docker). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-setuid-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
]

export function buildClientOptions(o: WhatsAppWebOptions): ClientOptions {
  // A pinned version only holds if its HTML exists locally or comes from a remote cache
  // (whatsapp-web.js's `webVersionCache: {type: 'remote'}`); otherwise WhatsApp Web loads live. See docs/decisions/013.
  const webVersionCache: ClientOptions['webVersionCache'] = o.webVersionUrl
    ? { type: 'remote', remotePath: o.webVersionUrl, strict: false }
    : { type: 'local', path: o.cachePath, strict: false }
  return {
    authStrategy: new LocalAuth({ dataPath: o.sessionPath }),
    puppeteer: {
      headless: true,
      executablePath: o.chromiumPath,
      args: [...chromiumArgs, ...(o.extraChromiumArgs ?? [])],
    },
    ...(o.webVersion ? { webVersion: o.webVersion } : {}),
    webVersionCache,
    // Stop rotating QRs after ~10 minutes; the session manager starts a fresh client.
    qrMaxRetries: 30,
    takeoverOnConflict: true,
    deviceName: 'Relevo',
  }
}

export class WhatsAppWebTransport implements WhatsAppTransport {
  readonly name = 'whatsapp-web'
  private readonly sessionPath: string
  /** What the mapping needs to know: whether group chats are ingested. */
  private readonly mapping: { groupsEnabled: boolean }
  private readonly logger: Logger
  private readonly startTimeoutMs: number
  /** Fresh per start: a LocalAuth belongs to one client. */
  private readonly clientOptions: () => ClientOptions
  private readonly listeners = new Set<TransportListener>()
  private readonly lidToPhone = new Map<string, Promise<string | null>>()
  private client: Client | null = null

  constructor(options: WhatsAppWebOptions) {
    this.sessionPath = options.sessionPath
    this.mapping = { groupsEnabled: options.groupsEnabled }
    this.logger = options.logger
    this.startTimeoutMs = options.startTimeoutMs ?? 120_000
    this.clientOptions = () => buildClientOptions(options)
  }

  async start(): Promise<void> {
    await this.stop()
    await clearChromiumLocks(join(this.sessionPath, 'session'))
    const client = new WebClient(this.clientOptions())
    this.client = client
    this.attach(client)
    const timeoutMs = this.startTimeoutMs
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        client.initialize(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`initialize() took longer than ${timeoutMs} ms`)),
            timeoutMs,
          )
        }),
      ])
    } catch (error) {
      // Chromium keeps running after a failed initialize(): always destroy it.
      await this.stop()
      const detail = error instanceof Error ? error.message : String(error)
      throw new TransportError(
        'whatsapp_web_unreachable',
        `WhatsApp Web unreachable: ${detail}`,
        'Check internet access to web.whatsapp.com and PUPPETEER_EXECUTABLE_PATH; the connector retries with backoff',
        { cause: error },
      )
    } finally {
      clearTimeout(timer)
    }
    // Chromium crashed or was killed: the Node side would keep a dead handle ("detached Frame",
    // wwebjs #5678). Report it so the session manager builds a new client.
    client.pupBrowser?.on('disconnected', () => {
      if (this.client !== client) return // our own stop()
      this.client = null
      this.emit({ kind: 'disconnected', reason: 'Chromium exited' })
    })
  }

  async stop(): Promise<void> {
    const client = this.client
    this.client = null
    if (!client) return
    client.removeAllListeners()
    await client
      .destroy()
      .catch((error: unknown) => this.logger.warn({ err: String(error) }, 'destroy failed'))
  }

  async logout(): Promise<void> {
    const client = this.client
    this.client = null
    try {
      if (client?.pupPage) await client.logout()
    } finally {
      await client?.destroy().catch(() => undefined)
      // LocalAuth.logout() removes it too, but not when the page was already gone.
      await rm(join(this.sessionPath, 'session'), { recursive: true, force: true })
    }
  }

  onEvent(listener: TransportListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  sendText(chatId: string, body: string): Promise<SentMessage> {
    // sendSeen false: sending must not mark the chat read on the owner's phone.
    return this.send(chatId, body, { sendSeen: false, linkPreview: false })
  }

  sendMedia(chatId: string, media: OutgoingMedia, caption: string): Promise<SentMessage> {
    // The library takes base64 only (it rebuilds a File in the page); one file at a time.
    const content = new MessageMedia(
      media.mimetype,
      media.data.toString('base64'),
      media.filename ?? null,
      media.data.length,
    )
    return this.send(chatId, content, {
      sendSeen: false,
      ...(caption ? { caption } : {}),
      // isPtt: WhatsApp shows it as a voice note; it must be OGG/Opus to play as one.
      sendAudioAsVoice: media.voice,
    })
  }

  async downloadMedia(waMessageId: string, maxBytes: number): Promise<MediaDownload> {
    if (!this.client) {
      throw new MediaError('not_ready', 'WhatsApp Web is not running', {
        retryable: true,
        hint: 'Wait for ready',
      })
    }
    return downloadWebMedia(this.client, waMessageId, maxBytes)
  }

  private async send(
    chatId: string,
    content: string | InstanceType<typeof MessageMedia>,
    options: Parameters<Client['sendMessage']>[2],
  ): Promise<SentMessage> {
    const client = this.requireClient()
    let sent: Message | null | undefined
    try {
      sent = await client.sendMessage(chatId, content, options)
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      const permanent = /invalid wid|wid error|No LID for user/i.test(detail)
      throw new SendError('send_failed', detail, {
        retryable: !permanent,
        hint: 'See connector logs',
        cause: error,
      })
    }
    if (!sent)
      throw new SendError('chat_not_found', `WhatsApp has no chat ${chatId}`, {
        retryable: false,
        hint: 'Check the number',
      })
    return { waMessageId: sent.id._serialized }
  }

  async sendStateTyping(chatId: string): Promise<void> {
    const chat = await this.requireClient().getChatById(chatId)
    await chat.sendStateTyping()
  }

  async recentActivity(limitPerChat: number): Promise<RecentActivity> {
    const client = this.requireClient()
    // Only the most recently active chats: getChats() and fetchMessages() are heavy on big accounts
    // (whatsapp-web.js's issue tracker lists them among the causes of high memory).
    const chats = (await client.getChats()).sort((a, b) => b.timestamp - a.timestamp).slice(0, 30)
    const activity: RecentActivity = { messages: [], changes: [] }
    for (const chat of chats) {
      for (const msg of await chat.fetchMessages({ limit: limitPerChat })) {
        const change = changeOf(msg, this.mapping)
        if (change) activity.changes.push({ ...change, chatId: await this.chatKey(change.chatId) })
        const mapped = await this.map(msg)
        if (mapped) activity.messages.push(mapped)
      }
    }
    return activity
  }

  private attach(client: Client): void {
    client.on('qr', (qr: string) => this.emit({ kind: 'qr', qr, expiresAt: new Date(Date.now() + 20_000) }))
    client.on('ready', () => this.emit({ kind: 'ready', phone: client.info?.wid?.user ?? null }))
    client.on('disconnected', (reason: string) => {
      // 'LOGOUT': unlinked from the phone. Any WAState: the client destroys itself.
      if (reason === 'LOGOUT') this.emit({ kind: 'logged_out', reason })
      else this.emit({ kind: 'disconnected', reason: String(reason) })
    })
    client.on('message_create', (msg: Message) => {
      void this.map(msg).then((message) => message && this.emit({ kind: 'message', message }))
    })
    client.on('message_ack', (msg: Message, ack: number) => {
      const status = mapAck(ack)
      if (status && msg.fromMe) this.emit({ kind: 'ack', waMessageId: msg.id._serialized, status })
    })
    client.on('message_revoke_everyone', (msg: Message) => this.emitChange(mapRevoke(msg, this.mapping)))
    client.on('message_edit', (msg: Message, newBody: unknown) =>
      this.emitChange(mapEdit(msg, String(newBody ?? ''), this.mapping)),
    )
    // message_revoke_me (deleted only on the business phone) changes nothing for the customer: ignored.
  }

  /** Under the same chat id as the message it changes, so ingest keeps them in order. */
  private emitChange(change: MessageChange | null): void {
    if (!change) return
    void this.chatKey(change.chatId).then((chatId) =>
      this.emit({ kind: 'changed', change: { ...change, chatId } }),
    )
  }

  /** Maps and resolves `@lid` chats to the phone form, so one customer keeps one conversation. */
  private async map(msg: Message): Promise<InboundMessage | null> {
    const mapped = mapMessage(msg, this.mapping)
    if (!mapped.ok) {
      this.logger.debug({ wa: msg.id._serialized, reason: mapped.reason }, 'message ignored')
      return null
    }
    const message = mapped.message
    const chatId = await this.chatKey(message.chatId)
    return chatId === message.chatId ? message : { ...message, chatId, customerPhone: phoneOf(chatId) }
  }

  /** The phone form of a `@lid` chat when the library knows it, else the id as it is. */
  private async chatKey(chatId: string): Promise<string> {
    if (!chatId.endsWith('@lid')) return chatId
    return (await this.resolveLid(chatId)) ?? chatId
  }

  /** One lookup per lid, shared by concurrent messages (which also keeps their order). */
  private resolveLid(lid: string): Promise<string | null> {
    let known = this.lidToPhone.get(lid)
    if (!known) {
      known = this.lookupLid(lid)
      this.lidToPhone.set(lid, known)
    }
    return known
  }

  private async lookupLid(lid: string): Promise<string | null> {
    try {
      const [entry] = (await this.client?.getContactLidAndPhone([lid])) ?? []
      if (!entry?.pn) this.lidToPhone.delete(lid) // try again on the next message
      return entry?.pn ?? null
    } catch (error) {
      this.lidToPhone.delete(lid)
      this.logger.debug({ err: String(error) }, 'lid not resolved; keeping the lid as chat id')
      return null
    }
  }

  private requireClient(): Client {
    if (!this.client)
      throw new SendError('not_ready', 'WhatsApp Web is not running', {
        retryable: true,
        hint: 'Wait for ready',
      })
    return this.client
  }

  private emit(event: Parameters<TransportListener>[0]): void {
    for (const listener of this.listeners) listener(event)
  }
}

/** Chromium refuses a profile whose Singleton* files survived a hard kill or a new hostname. */
async function clearChromiumLocks(profileDir: string): Promise<void> {
  for (const name of ['SingletonLock', 'SingletonSocket', 'SingletonCookie']) {
    await rm(join(profileDir, name), { force: true })
  }
}
