/**
 * @module
 * POST /webhooks/db — Supabase's database webhook for new incoming messages. Checks the database's
 * signature of the body (ADR 075; anything else is 401 and nothing happens), validates the body, hands the message to its
 * conversation's agent (a Durable Object, decision 023) and answers 202. The agent debounces and
 * runs the AI; idempotency lives in the agent, the run's claim and SQL.
 */
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { type Bindings, readConfig } from '../config/config.ts'
import { AuthError, InputError } from '../shared/errors.ts'
import { verifySignature } from '../shared/signature.ts'
import { type AppDeps, services } from '../wiring/services.ts'

/** Supabase's payload: {type, table, schema, record, old_record}; we read only what we route on. */
export const webhookBody = z.object({
  type: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  table: z.string(),
  schema: z.string(),
  record: z
    .object({ id: z.uuid(), direction: z.enum(['in', 'out']), conversation_id: z.uuid() })
    .loose()
    .nullable(),
  old_record: z.unknown().nullable().optional(),
})

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
    const parsed = webhookBody.safeParse(json)
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')
      throw new InputError('invalid_webhook', `Not a Supabase database webhook body (${where})`, {
        hint: 'Expected {type, table, schema, record, old_record} for an INSERT on public.messages',
      })
    }
    const { type, table, schema, record } = parsed.data
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
