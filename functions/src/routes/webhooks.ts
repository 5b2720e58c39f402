/**
 * @module
 * POST /webhooks/db — Supabase's database webhook for new incoming messages (and for new webhook
 * deliveries, which wake the endpoint's deliverer: events out, ADR 090). Checks the shared
 * secret (anything else is 401 and nothing happens), validates the body, hands the message to its
 * conversation's agent (a Durable Object, decision 023) and answers 202. The agent debounces and
 * runs the AI; idempotency lives in the agent, the run's claim and SQL.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { type Bindings, readConfig } from '../config/config.ts'
import { secretEquals } from '../http/secret-equal.ts'
import { AuthError, InputError } from '../shared/errors.ts'
import { type AppDeps, services } from '../wiring/services.ts'

/** Supabase's payload: {type, table, schema, record, old_record}; we read only what we route on. */
export const webhookBody = z.object({
  type: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  table: z.string(),
  schema: z.string(),
  record: z.record(z.string(), z.unknown()).nullable(),
  old_record: z.unknown().nullable().optional(),
})
const incomingMessage = z.object({ id: z.uuid(), direction: z.literal('in'), conversation_id: z.uuid() })
const newDeliveries = z.object({ endpoint_id: z.uuid() })

export function webhookRoutes(deps: AppDeps) {
  const app = new Hono<{ Bindings: Bindings }>()
  app.post('/db', async (c) => {
    // The secret first: a forged request must not learn anything about the deployment's config.
    if (!(await secretEquals(c.req.header('x-relevo-webhook-secret'), readConfig(c.env).WEBHOOK_SECRET))) {
      throw new AuthError('invalid_webhook_secret', 'Missing or wrong X-Relevo-Webhook-Secret', {
        status: 401,
        hint: 'Set the same secret in private.webhook_config and WEBHOOK_SECRET',
      })
    }
    const json = await c.req.json().catch((cause: unknown) => {
      throw new InputError('invalid_json', 'Body is not JSON', { cause })
    })
    const parsed = webhookBody.safeParse(json)
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')
      throw new InputError('invalid_webhook', `Not a Supabase database webhook body (${where})`, {
        hint: 'Expected {type, table, schema, record, old_record} for an INSERT on public.messages',
      })
    }
    const { type, table, schema, record } = parsed.data
    const insert = type === 'INSERT' && schema === 'public'
    // New webhook deliveries (events out, ADR 090): wake the endpoint's deliverer.
    const deliveries = newDeliveries.safeParse(record)
    if (insert && table === 'webhook_deliveries' && deliveries.success) {
      await services(c.env, deps).wakeDeliverer(deliveries.data.endpoint_id)
      return c.json({ accepted: true, endpoint_id: deliveries.data.endpoint_id }, 202)
    }
    const message = incomingMessage.safeParse(record)
    if (!insert || table !== 'messages' || !message.success) {
      return c.json({ accepted: false, reason: 'not_an_incoming_message' }, 202)
    }
    const messageId = message.data.id
    // Awaited: the 202 means the message is in the agent's storage. If this throws, the answer is
    // a 500 and the sweeper wakes the agent within a minute or two.
    await services(c.env, deps).wake(message.data.conversation_id, messageId)
    return c.json({ accepted: true, message_id: messageId }, 202)
  })
  return app
}
