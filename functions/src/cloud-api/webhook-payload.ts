/**
 * @module
 * Meta's `messages` webhook (object `whatsapp_business_account`) → what Relevo stores. One POST can
 * carry several entries, changes, messages and statuses, for several numbers of one Meta app, so
 * everything is grouped by `metadata.phone_number_id`. Media is kept as metadata (the Graph media
 * id and mimetype); the bytes stay at Meta until the media pipeline downloads them.
 */
import { z } from 'zod'
import type { CloudIngest } from './ports.ts'

const message = z
  .object({
    from: z.string().optional(),
    id: z.string().min(1),
    timestamp: z.string(),
    type: z.string(),
  })
  .loose()

const status = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    errors: z
      .array(
        z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional() }).loose(),
      )
      .optional(),
  })
  .loose()

const value = z
  .object({
    messaging_product: z.literal('whatsapp'),
    metadata: z.object({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
    contacts: z
      .array(
        z
          .object({
            profile: z.object({ name: z.string() }).partial().optional(),
            wa_id: z.string().optional(),
          })
          .loose(),
      )
      .optional(),
    messages: z.array(message).optional(),
    statuses: z.array(status).optional(),
  })
  .loose()

export const webhookPayload = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z
      .object({ id: z.string(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })
      .loose(),
  ),
})
export type WebhookPayload = z.infer<typeof webhookPayload>

export type RawStatus =
  | { waMessageId: string; status: 'sent' | 'delivered' | 'read' }
  | {
      waMessageId: string
      status: 'failed'
      error: string
    }

/** What one number of the payload asks Relevo to store (without channel ids: routing comes next). */
export interface NumberBatch {
  messages: Array<Omit<CloudIngest, 'channelId'>>
  statuses: RawStatus[]
}

/** Groups the payload's `messages` changes by phone number id. Other fields are ignored. */
export function readWebhook(payload: WebhookPayload): Map<string, NumberBatch> {
  const byNumber = new Map<string, NumberBatch>()
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue
      const parsed = value.safeParse(change.value)
      if (!parsed.success) continue
      const v = parsed.data
      const batch = byNumber.get(v.metadata.phone_number_id) ?? { messages: [], statuses: [] }
      byNumber.set(v.metadata.phone_number_id, batch)
      const names = new Map((v.contacts ?? []).map((c) => [c.wa_id ?? '', c.profile?.name ?? null]))
      for (const m of v.messages ?? []) {
        const mapped = mapMessage(m, names.get(m.from ?? '') ?? null)
        if (mapped) batch.messages.push(mapped)
      }
      for (const s of v.statuses ?? []) {
        const mapped = mapStatus(s)
        if (mapped) batch.statuses.push(mapped)
      }
    }
  }
  return byNumber
}

type Message = z.infer<typeof message>
type Content = Omit<
  CloudIngest,
  'channelId' | 'waMessageId' | 'chatId' | 'customerName' | 'customerPhone' | 'sentAt'
>

const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {})

function mapMessage(m: Message, name: string | null): Omit<CloudIngest, 'channelId'> | null {
  // The customer's wa_id (digits); users with a username may have none, only a BSUID (user_id).
  const from = m.from ?? str((m as Record<string, unknown>).user_id)
  if (!from) return null
  const content = mapContent(m)
  return {
    waMessageId: m.id,
    chatId: from,
    customerName: name,
    customerPhone: /^\d+$/.test(from) ? from : null,
    sentAt: new Date(Number(m.timestamp) * 1000).toISOString(),
    ...content,
  }
}

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const

function mapContent(m: Message): Content {
  const part = obj((m as Record<string, unknown>)[m.type])
  if (m.type === 'text') return { type: 'text', body: str(part.body) ?? '', media: null }
  if ((MEDIA_TYPES as readonly string[]).includes(m.type)) {
    const media = {
      waType: part.voice === true ? 'voice' : m.type,
      mediaId: str(part.id),
      mimetype: str(part.mime_type),
      sha256: str(part.sha256),
      filename: str(part.filename),
    }
    return { type: m.type as (typeof MEDIA_TYPES)[number], body: str(part.caption) ?? '', media }
  }
  if (m.type === 'location') {
    const location = {
      latitude: Number(part.latitude),
      longitude: Number(part.longitude),
      name: str(part.name),
    }
    return {
      type: 'location',
      body: [str(part.name), str(part.address)].filter(Boolean).join(', '),
      media: { waType: 'location', location },
    }
  }
  if (m.type === 'contacts') {
    const raw = (m as Record<string, unknown>).contacts
    const contacts = (Array.isArray(raw) ? raw : []).map(obj)
    const lines = contacts.map((c) => {
      const phones = (Array.isArray(c.phones) ? c.phones : []).map((p) => str(obj(p).phone)).filter(Boolean)
      return [str(obj(c.name).formatted_name), ...phones].filter(Boolean).join(' ')
    })
    return { type: 'text', body: lines.join('\n'), media: { waType: 'contacts' } }
  }
  if (m.type === 'reaction') {
    return {
      type: 'text',
      body: str(part.emoji) ?? '',
      media: { waType: 'reaction', reactedTo: str(part.message_id) },
    }
  }
  if (m.type === 'interactive') {
    const reply = obj(part.button_reply ?? part.list_reply)
    return {
      type: 'text',
      body: str(reply.title) ?? '',
      media: { waType: 'interactive', replyId: str(reply.id) },
    }
  }
  if (m.type === 'button') {
    return {
      type: 'text',
      body: str(part.text) ?? '',
      media: { waType: 'button', payload: str(part.payload) },
    }
  }
  return { type: 'unsupported', body: '', media: { waType: m.type } }
}

function mapStatus(s: z.infer<typeof status>): RawStatus | null {
  if (s.status === 'sent' || s.status === 'delivered' || s.status === 'read') {
    return { waMessageId: s.id, status: s.status }
  }
  if (s.status === 'failed') {
    const error = s.errors?.[0]
    const errorText = error ? `${error.code}: ${error.title ?? error.message ?? 'failed'}` : 'failed'
    return { waMessageId: s.id, status: 'failed', error: errorText }
  }
  return null // `played` (voice notes) has no status of its own in Relevo
}
