/**
 * @module
 * The payload of every event Relevo sends out (ADR 090), as zod schemas. They are the source of
 * the committed JSON Schema documents in docs/webhooks/schemas/ (written by
 * `pnpm --filter @relevo/functions gen:event-schemas`, checked by event-schemas.test.ts), and the
 * integration tests validate what a receiver really got against them.
 */
import { z } from 'zod'

const uuid = z.uuid()
const time = z.iso.datetime({ offset: true })

const conversation = z
  .object({
    id: uuid,
    channel_id: uuid,
    customer_name: z.string().nullable(),
    customer_phone: z.string().nullable(),
    mode: z.enum(['ai', 'human']),
    status: z.enum(['open', 'closed']),
    assigned_agent_id: uuid.nullable(),
  })
  .meta({ description: 'The conversation (one WhatsApp chat) as it is after the change' })

const message = z
  .object({
    id: uuid,
    conversation_id: uuid,
    channel_id: uuid,
    direction: z.enum(['in', 'out']),
    author: z.enum(['customer', 'ai', 'agent', 'phone', 'system']),
    agent_id: uuid.nullable().meta({ description: 'The agent who wrote it (author agent)' }),
    type: z.enum(['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'unsupported']),
    body: z.string(),
    media: z.record(z.string(), z.unknown()).nullable().meta({
      description: 'Media descriptor as stored (storage path, mimetype, size, filename); never the bytes',
    }),
    transcript: z.string().nullable().meta({ description: 'Transcript of a voice note, when there is one' }),
    status: z.enum(['received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled']),
    wa_message_id: z.string().nullable(),
    in_reply_to: uuid.nullable(),
    created_at: time,
    sent_at: time.nullable(),
  })
  .meta({ description: 'One WhatsApp message' })

const messageEvent = z.object({ message, conversation })

/** `data` of each event type. */
export const eventData = {
  message_received: messageEvent.meta({
    description: 'A customer wrote (text, or media with its descriptor)',
  }),
  message_sent: messageEvent.meta({
    description:
      'A message was handed to WhatsApp (it has a WhatsApp id): by the AI, an agent, the phone or the system',
  }),
  message_status: z
    .object({
      message_id: uuid,
      conversation_id: uuid,
      status: z.enum(['delivered', 'read', 'failed']),
      previous_status: z.string(),
      error: z.string().nullable(),
      wa_message_id: z.string().nullable(),
    })
    .meta({ description: 'WhatsApp reported a sent message delivered or read, or sending failed for good' }),
  mode_changed: z
    .object({
      conversation,
      from: z.enum(['ai', 'human']),
      to: z.enum(['ai', 'human']),
      reason: z.enum(['takeover', 'handback', 'handoff', 'auto_return']),
      actor: z.object({
        kind: z.enum(['agent', 'ai', 'phone', 'system']),
        id: uuid.nullable(),
        name: z.string().nullable(),
      }),
      handoff_reason: z.string().nullable(),
    })
    .meta({ description: 'The chat went from the AI to a person or back: who and why' }),
  conversation_assigned: z
    .object({
      conversation,
      agent: z.object({ id: uuid, name: z.string() }),
      previous_agent_id: uuid.nullable(),
      by_agent_id: uuid.nullable().meta({ description: 'Who assigned it; null when the system did' }),
    })
    .meta({ description: 'The chat got an agent (assigned, or taken over)' }),
  conversation_closed: z
    .object({ conversation, by_agent_id: uuid.nullable() })
    .meta({ description: 'An agent closed the chat' }),
  handoff_requested: z
    .object({ conversation, reason: z.string() })
    .meta({ description: 'The AI handed the chat to a person, with its reason' }),
  webhook_test: z
    .object({ endpoint_id: uuid, sent_by: z.object({ id: uuid, name: z.string() }) })
    .meta({ description: 'Sent by an admin from Admin → Integrations to try the endpoint' }),
} as const

export type EventType = keyof typeof eventData

/** The whole JSON body POSTed for an event of `type`. */
export function eventEnvelope<T extends EventType>(type: T) {
  return z
    .object({
      id: uuid.meta({ description: 'Stable event id, also in X-Relevo-Event-Id: the same on every retry' }),
      type: z.literal(type),
      created_at: time,
      tenant_id: uuid,
      data: eventData[type],
    })
    .meta({ title: `Relevo event ${type}` })
}

/** The JSON Schema document of one event type. */
export function eventJsonSchema(type: EventType): unknown {
  return z.toJSONSchema(eventEnvelope(type), { target: 'draft-2020-12' })
}
