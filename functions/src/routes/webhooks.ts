/**
 * @module
 * POST /webhooks/db — Supabase's database webhook for new incoming messages. Checks the shared
 * secret (anything else is 401 and nothing happens), validates the body, hands the message to its
 * conversation's agent (a Durable Object, decision 023) and answers 202. The agent debounces and
 * runs the AI; idempotency lives in the agent, the run's claim and SQL. Queued outgoing messages of
 * Cloud API channels come through the same hook and wake the channel's sender (ADR 120).
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
  record: z
    .object({
      id: z.uuid(),
      direction: z.enum(['in', 'out']),
      conversation_id: z.uuid(),
      // Set on queued outgoing messages of Cloud API channels (their sender is woken).
      channel_id: z.uuid().optional(),
      status: z.string().optional(),
    })
    .loose()
    .nullable(),
  old_record: z.unknown().nullable().optional(),
})

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
    const isMessage = type !== 'DELETE' && table === 'messages' && schema === 'public'
    if (isMessage && record?.direction === 'out' && record.status === 'queued' && record.channel_id) {
      // A Cloud API outbox row: its channel's sender (a Durable Object) claims and sends it.
      await services(c.env, deps).wakeSender(record.channel_id)
      return c.json({ accepted: true, channel_id: record.channel_id }, 202)
    }
    if (type !== 'INSERT' || table !== 'messages' || schema !== 'public' || record?.direction !== 'in') {
      return c.json({ accepted: false, reason: 'not_an_incoming_message' }, 202)
    }
    const messageId = record.id
    // Awaited: the 202 means the message is in the agent's storage. If this throws, the answer is
    // a 500 and the sweeper wakes the agent within a minute or two.
    await services(c.env, deps).wake(record.conversation_id, messageId)
    return c.json({ accepted: true, message_id: messageId }, 202)
  })
  return app
}
