/**
 * @module
 * POST /webhooks/db — Supabase's database webhook for new incoming messages (and for new webhook
 * deliveries, which wake the endpoint's deliverer: events out, ADR 090). Checks the database's
 * signature of the body (ADR 075; anything else is 401 and nothing happens), validates the body,
 * hands the message to its
 * conversation's agent (a Durable Object, decision 023) and answers 202. The agent debounces and
 * runs the AI; idempotency lives in the agent, the run's claim and SQL. Queued outgoing messages of
 * Cloud API channels come through the same hook and wake the channel's sender (ADR 120), and so do
 * push alerts, sent to the agents' browsers (ADR 097).
 */
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { type Bindings, readConfig } from '../config/config.ts'
import { pushAlert, sendAlert } from '../push/send-alert.ts'
import { AuthError, InputError } from '../shared/errors.ts'
import { verifySignature } from '../shared/signature.ts'
import { type AppDeps, services } from '../wiring/services.ts'

/** Supabase's payload: {type, table, schema, record, old_record}; we read only what we route on. */
export const webhookBody = z.object({
  type: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  table: z.string(),
  schema: z.string(),
  record: z.record(z.string(), z.unknown()).nullable(),
  old_record: z.unknown().nullable().optional(),
})
const messageRecord = z.object({ id: z.uuid(), direction: z.enum(['in', 'out']), conversation_id: z.uuid() })
const newDeliveries = z.object({ endpoint_id: z.uuid() })
// Set on queued outgoing messages of Cloud API channels only (their channel's sender is woken).
const cloudOutboxRecord = z.object({
  direction: z.literal('out'),
  status: z.literal('queued'),
  channel_id: z.uuid(),
})

function parseOrThrow<T>(shape: z.ZodType<T>, value: unknown, path: string): T {
  const parsed = shape.safeParse(value)
  if (parsed.success) return parsed.data
  const where = parsed.error.issues.map((i) => path + (i.path.join('.') || '(root)')).join(', ')
  throw new InputError('invalid_webhook', `Not a Supabase database webhook body (${where})`, {
    hint: 'Expected {type, table, schema, record, old_record} for an INSERT on public.messages or public.webhook_deliveries',
  })
}

/** True when the database signed this body with WEBHOOK_SECRET within the replay window. */
export async function signedByDatabase(c: Context, deps: AppDeps): Promise<boolean> {
  const request = {
    timestamp: c.req.header('x-relevo-timestamp'),
    signature: c.req.header('x-relevo-signature'),
    // Hono keeps the text, so the route reads the same body again.
    body: await c.req.text().catch(() => ''),
  }
  return verifySignature(request, (c.env as Bindings).WEBHOOK_SECRET, (deps.now ?? Date.now)())
}

export function webhookRoutes(deps: AppDeps) {
  const app = new Hono<{ Bindings: Bindings }>()
  app.post('/db', async (c) => {
    // The signature first: a forged request must not learn anything about the deployment's config.
    if (!readConfig(c.env).WEBHOOK_SECRET || !(await signedByDatabase(c, deps))) {
      throw new AuthError('invalid_webhook_signature', 'Missing, wrong or stale X-Relevo-Signature', {
        status: 401,
        hint: "Store the same secret with private.configure_webhook and in WEBHOOK_SECRET; check the database's clock",
      })
    }
    let json: unknown
    try {
      json = JSON.parse(await c.req.text())
    } catch (cause) {
      throw new InputError('invalid_json', 'Body is not JSON', { cause })
    }
    const { type, table, schema, record } = parseOrThrow(webhookBody, json, '')
    const queued = table === 'messages' && type !== 'DELETE' ? cloudOutboxRecord.safeParse(record) : null
    if (schema === 'public' && queued?.success) {
      // A Cloud API outbox row: its channel's sender (a Durable Object) claims and sends it (ADR 120).
      await services(c.env, deps).wakeSender(queued.data.channel_id)
      return c.json({ accepted: true, channel_id: queued.data.channel_id }, 202)
    }
    if (type !== 'INSERT' || schema !== 'public') {
      return c.json({ accepted: false, reason: 'not_an_incoming_message' }, 202)
    }
    // A push alert (ADR 097): a chat needs a person, or a customer wrote in an agent's chat.
    if (table === 'push_alerts') {
      const alert = parseOrThrow(pushAlert, record, 'record.')
      const push = services(c.env, deps).pushDeps()
      if (!push) return c.json({ accepted: false, reason: 'push_not_configured' }, 202)
      // The database webhook gives up after 5 s; retries may take longer, so the work is also
      // handed to waitUntil, which keeps it alive for 30 s after the caller has gone.
      const sending = sendAlert(alert, push)
      c.executionCtx.waitUntil(sending)
      const report = await sending
      return c.json({ accepted: true, ...report }, 202)
    }
    // New webhook deliveries (events out, ADR 090): wake the endpoint's deliverer.
    if (table === 'webhook_deliveries') {
      const { endpoint_id } = parseOrThrow(newDeliveries, record, 'record.')
      await services(c.env, deps).wakeDeliverer(endpoint_id)
      return c.json({ accepted: true, endpoint_id }, 202)
    }
    const message = table === 'messages' ? parseOrThrow(messageRecord, record, 'record.') : null
    if (message?.direction !== 'in') {
      return c.json({ accepted: false, reason: 'not_an_incoming_message' }, 202)
    }
    const messageId = message.id
    // Awaited: the 202 means the message is in the agent's storage. If this throws, the answer is
    // a 500 and the sweeper wakes the agent within a minute or two.
    await services(c.env, deps).wake(message.conversation_id, messageId)
    return c.json({ accepted: true, message_id: messageId }, 202)
  })
  return app
}
