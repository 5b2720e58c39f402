/**
 * @module
 * A WhatsApp Cloud API (Meta Graph API) double, as a fetch handler: the business side of one or
 * more numbers of one Meta app. It serves what Relevo calls — `POST /{version}/{phone-number-id}/messages`
 * (text, template, read receipt + typing indicator), `GET /{version}/{phone-number-id}` (number
 * info), `GET /{version}/{waba-id}/message_templates`, `GET /{version}/{media-id}` and the media URL —
 * with Meta's answers and error objects, and plays the customers: `POST /simulator/messages
 * {from, name, body}` sends the signed `messages` webhook to the functions, `GET /simulator/sent`
 * lists what the business sent, `GET /simulator/receipts` the read receipts (with typing or not);
 * `POST /simulator/messages {from, name, body?, media: {mimetype, data (base64), filename?, voice?}}`
 * sends a file, whose bytes the media URL serves only with the number's token. Throughput per number is enforced like Meta's (130429 over it).
 */
import {
  graphError,
  hubSignature,
  inboundMessage,
  messagesWebhook,
  type NumberMetadata,
  newWamid,
  statusItem,
  type WebhookValue,
} from './graph-api-payloads.ts'

export interface GraphApiDoubleOptions {
  number?: Partial<NumberMetadata> & { verifiedName?: string; qualityRating?: string }
  appSecret?: string
  accessToken?: string
  /** Where signed webhooks go: the functions' `/webhooks/whatsapp` URL, or an in-process handler. */
  webhook?: string | ((request: Request) => Promise<Response>)
  /** Sends accepted beyond this many per second (sliding window) get 130429, like Meta's throughput limit. */
  messagesPerSecond?: number
  /** Report `sent` then `delivered` by webhook after each accepted send (the dev system). */
  autoStatuses?: boolean
}

export interface SentMessage {
  id: string
  to: string
  type: string
  /** The text, or a file's caption. */
  text: string | null
  template: { name: string; language: string; parameters: string[] } | null
  /** A file sent by link (image, audio, video, document, sticker). */
  media: { link: string; caption: string | null; filename: string | null } | null
  at: number
}

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker']

/** A media object as Meta checks it: a link (or an uploaded id), a caption only where allowed. */
function mediaOf(type: string, value: unknown): SentMessage['media'] | string | null {
  const object = (value ?? {}) as { link?: unknown; caption?: unknown; filename?: unknown }
  if (typeof object.link !== 'string' || !/^https?:\/\//.test(object.link)) return null
  if (object.caption !== undefined && (type === 'audio' || type === 'sticker'))
    return `${type} messages take no caption`
  if (object.filename !== undefined && type !== 'document') return `only documents take a filename`
  return {
    link: object.link,
    caption: typeof object.caption === 'string' ? object.caption : null,
    filename: typeof object.filename === 'string' ? object.filename : null,
  }
}

export const DEMO_NUMBER = {
  wabaId: '200000000000001',
  phoneNumberId: '100000000000001',
  displayPhoneNumber: '15550000001',
  verifiedName: 'Demo Cloud API',
  qualityRating: 'GREEN',
}

export const DEMO_TEMPLATES = [
  {
    name: 'order_update',
    language: 'es_MX',
    category: 'UTILITY',
    body: 'Hola {{1}}, tu pedido {{2}} va en camino.',
  },
  {
    name: 'follow_up',
    language: 'es_MX',
    category: 'MARKETING',
    body: 'Hola {{1}}, ¿podemos ayudarte con algo más?',
  },
  { name: 'hello_world', language: 'en_US', category: 'UTILITY', body: 'Hello World' },
]

/** A file a customer sends through the double: its bytes stay here, Meta-style, until downloaded. */
export interface CustomerFile {
  mimetype: string
  data: Uint8Array
  filename?: string
  /** An audio sent as a voice note (`audio.voice: true`). */
  voice?: boolean
}

/** The webhook's message type for a file, as WhatsApp picks it from the MIME type. */
function fileType(mimetype: string): string {
  if (mimetype === 'image/webp') return 'sticker'
  const kind = mimetype.split('/')[0] ?? ''
  return ['image', 'audio', 'video'].includes(kind) ? kind : 'document'
}

export function createGraphApiDouble(options: GraphApiDoubleOptions = {}) {
  const number = { ...DEMO_NUMBER, ...options.number }
  const appSecret = options.appSecret ?? 'relevo-demo-app-secret'
  let accessToken = options.accessToken ?? 'relevo-demo-access-token'
  const rate = options.messagesPerSecond ?? 80
  const sent: SentMessage[] = []
  const receipts: Array<{ messageId: string; typing: boolean }> = []
  const accepted: number[] = []
  const files = new Map<string, CustomerFile & { data: Uint8Array<ArrayBuffer> }>()
  /** Downloads of each media URL, with or without the number's token (tests check both). */
  const downloads: Array<{ mediaId: string; authorized: boolean }> = []
  const failures: number[] = []
  let throttled = 0

  async function deliver(value: WebhookValue): Promise<Response> {
    const raw = JSON.stringify(messagesWebhook(number, value))
    const init = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': await hubSignature(raw, appSecret),
      },
      body: raw,
    }
    const target = options.webhook
    if (!target) throw new Error('The Graph API double has no webhook target: pass options.webhook')
    return typeof target === 'string'
      ? fetch(target, init)
      : target(new Request('http://functions/webhooks/whatsapp', init))
  }

  /** Meta's throughput: over `rate` sends within the last second is 130429. */
  function overRate(now: number): boolean {
    while (accepted.length > 0 && (accepted[0] ?? 0) <= now - 1000) accepted.shift()
    if (accepted.length >= rate) return true
    accepted.push(now)
    return false
  }

  async function sendMessage(body: Record<string, unknown>): Promise<Response> {
    if (body.messaging_product !== 'whatsapp') return graphError(100, 'messaging_product must be "whatsapp"')
    if (body.status === 'read') {
      const typing = (body.typing_indicator as { type?: string } | undefined)?.type === 'text'
      receipts.push({ messageId: String(body.message_id), typing })
      return Response.json({ success: true })
    }
    const to = String(body.to ?? '')
    if (!/^\+?\d{6,20}$/.test(to)) return graphError(100, 'Invalid recipient')
    const failure = failures.shift()
    if (failure !== undefined) return graphError(failure)
    if (overRate(Date.now())) {
      throttled += 1
      return graphError(130429)
    }
    const type = String(body.type)
    const template = type === 'template' ? templateOf(body.template) : null
    const text = type === 'text' ? String((body.text as { body?: unknown } | undefined)?.body ?? '') : null
    const media = MEDIA_TYPES.includes(type) ? mediaOf(type, body[type]) : null
    if (type !== 'text' && type !== 'template' && !media)
      return graphError(100, `Unsupported type ${type}, or a media object without a link`)
    if (typeof media === 'string') return graphError(100, media)
    const message: SentMessage = {
      id: newWamid(),
      to: to.replace(/^\+/, ''),
      type,
      text: text ?? media?.caption ?? null,
      template,
      media,
      at: Date.now(),
    }
    sent.push(message)
    if (options.autoStatuses) {
      void (async () => {
        await deliver({ statuses: [statusItem(message.id, message.to, 'sent')] })
        await deliver({ statuses: [statusItem(message.id, message.to, 'delivered')] })
      })().catch(() => {})
    }
    return Response.json({
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: message.to }],
      messages: [{ id: message.id, ...(template ? { message_status: 'accepted' } : {}) }],
    })
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const parts = url.pathname.split('/').filter(Boolean)
    if (parts[0] === 'simulator') return simulator(request, parts[1])
    const authorized = request.headers.get('authorization') === `Bearer ${accessToken}`
    // Meta's media URL answers the bytes only with the number's token (401 otherwise).
    if (parts[0] === 'media') {
      const file = files.get(parts[1] ?? '')
      downloads.push({ mediaId: parts[1] ?? '', authorized })
      if (!authorized) return new Response('Unauthorized', { status: 401 })
      if (!file) return new Response('Not found', { status: 404 })
      return new Response(file.data, { headers: { 'content-type': file.mimetype } })
    }
    if (!authorized) return graphError(190)
    const [, node, edge] = parts
    if (request.method === 'POST' && node === number.phoneNumberId && edge === 'messages') {
      return sendMessage((await request.json()) as Record<string, unknown>)
    }
    if (request.method === 'GET' && node === number.phoneNumberId && !edge) {
      return Response.json({
        verified_name: number.verifiedName,
        code_verification_status: 'VERIFIED',
        display_phone_number: number.displayPhoneNumber,
        quality_rating: number.qualityRating,
        platform_type: 'CLOUD_API',
        throughput: { level: 'STANDARD' },
        id: number.phoneNumberId,
      })
    }
    if (request.method === 'GET' && node === number.wabaId && edge === 'message_templates') {
      return Response.json({
        data: DEMO_TEMPLATES.map((t, i) => ({
          name: t.name,
          language: t.language,
          status: 'APPROVED',
          category: t.category,
          id: `90000000000000${i}`,
          components: [{ type: 'BODY', text: t.body }],
        })),
        paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } },
      })
    }
    const file = request.method === 'GET' && node && !edge ? files.get(node) : undefined
    if (file && node) {
      return Response.json({
        messaging_product: 'whatsapp',
        url: `${url.origin}/media/${node}`,
        mime_type: file.mimetype,
        sha256: await sha256Hex(file.data),
        file_size: file.data.byteLength,
        id: node,
      })
    }
    return graphError(100, `Unknown path ${url.pathname}`)
  }

  async function simulator(request: Request, what: string | undefined): Promise<Response> {
    if (request.method === 'GET' && what === 'sent') return Response.json(sent)
    if (request.method === 'GET' && what === 'receipts') return Response.json(receipts)
    if (request.method === 'POST' && what === 'messages') {
      const input = (await request.json()) as {
        from?: string
        name?: string
        body?: string
        media?: { mimetype?: string; data?: string; filename?: string; voice?: boolean }
      }
      const name = input.name ?? input.from ?? ''
      if (input.from && input.media?.mimetype && input.media.data) {
        const data = Uint8Array.from(atob(input.media.data), (c) => c.charCodeAt(0))
        const file = { ...input.media, mimetype: input.media.mimetype, data }
        return Response.json(await customerSendsFile(input.from, name, file, input.body))
      }
      if (!input.from || !input.body)
        return Response.json(
          { error: 'from and body (or media with mimetype and data) are required' },
          { status: 400 },
        )
      return Response.json(await customerSends(input.from, name, 'text', { body: input.body }))
    }
    return Response.json({ error: 'unknown simulator route' }, { status: 404 })
  }

  /** A customer sends a file: kept under a new media id, announced by webhook as WhatsApp does. */
  async function customerSendsFile(from: string, name: string, file: CustomerFile, caption?: string) {
    const mediaId = `${Date.now()}${files.size}`
    const data = new Uint8Array(file.data)
    files.set(mediaId, { ...file, data })
    const type = fileType(file.mimetype)
    return customerSends(from, name, type, {
      id: mediaId,
      mime_type: file.mimetype,
      sha256: btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', data)))),
      ...(caption ? { caption } : {}),
      ...(file.filename && type === 'document' ? { filename: file.filename } : {}),
      ...(file.voice && type === 'audio' ? { voice: true } : {}),
    })
  }

  /** A customer's message of any Cloud API type, delivered by signed webhook. */
  async function customerSends(from: string, name: string, type: string, content: unknown) {
    const message = inboundMessage(from, type, content)
    const response = await deliver({ contacts: [{ profile: { name }, wa_id: from }], messages: [message] })
    return { wamid: message.id, status: response.status }
  }

  return {
    number,
    appSecret,
    handle,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      handle(new Request(input, init))) as typeof fetch,
    sent,
    receipts,
    get throttled() {
      return throttled
    },
    /** The next sends fail with these Meta error codes, in order. */
    failNext: (...codes: number[]) => failures.push(...codes),
    /** The access token stops working (Meta answers 190), as after an admin revoked it. */
    revokeToken: () => {
      accessToken = `revoked-${newWamid()}`
    },
    deliver,
    customerSends,
    customerSendsFile,
    downloads,
    customerWrites: (input: { from: string; name: string; body: string }) =>
      customerSends(input.from, input.name, 'text', { body: input.body }),
    /** A status update of a message the business sent. */
    reportStatus: (
      id: string,
      status: 'sent' | 'delivered' | 'read' | 'failed',
      error?: { code: number; title: string },
    ) => deliver({ statuses: [statusItem(id, sent.find((m) => m.id === id)?.to ?? '0', status, error)] }),
  }
}

export type GraphApiDouble = ReturnType<typeof createGraphApiDouble>

function templateOf(value: unknown): SentMessage['template'] {
  const t = value as {
    name?: string
    language?: { code?: string }
    components?: Array<{ type?: string; parameters?: Array<{ text?: string }> }>
  }
  const body = t.components?.find((c) => c.type === 'body')
  return {
    name: String(t.name ?? ''),
    language: String(t.language?.code ?? ''),
    parameters: (body?.parameters ?? []).map((p) => String(p.text ?? '')),
  }
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
}
