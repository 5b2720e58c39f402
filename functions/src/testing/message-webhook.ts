/**
 * The body and headers of the database webhook Supabase sends when a row is inserted, signed as
 * private.dispatch_webhook signs it (ADR 075), as the tests and the bench post it to `/webhooks/db`.
 */
import { signBody } from '../shared/signature.ts'

export interface InsertedMessage {
  id: string
  conversationId: string
  direction: 'in' | 'out'
}

/** The headers the database sends with a webhook body, signed with `secret` at `nowMs`. */
export async function signedHeaders(body: string, secret: string, nowMs = Date.now()) {
  const timestamp = Math.floor(nowMs / 1000)
  return {
    'content-type': 'application/json',
    'x-relevo-timestamp': String(timestamp),
    'x-relevo-signature': await signBody(secret, timestamp, body),
  }
}

/** A signed database webhook for an INSERT of `record` into public.`table`. */
export async function databaseWebhookInit(
  secret: string,
  table: string,
  record: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<RequestInit> {
  const body = JSON.stringify({ type: 'INSERT', table, schema: 'public', record, old_record: null })
  return { method: 'POST', headers: await signedHeaders(body, secret, nowMs), body }
}

export function messageWebhookInit(
  secret: string,
  message: InsertedMessage,
  nowMs = Date.now(),
): Promise<RequestInit> {
  const record = { id: message.id, conversation_id: message.conversationId, direction: message.direction }
  return databaseWebhookInit(secret, 'messages', record, nowMs)
}
