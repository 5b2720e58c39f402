/**
 * The body and headers of the database webhook Supabase sends when a message row is inserted,
 * as the tests and the bench post it to `/webhooks/db`.
 */
export interface InsertedMessage {
  id: string
  conversationId: string
  direction: 'in' | 'out'
}

export function messageWebhookInit(secret: string, message: InsertedMessage): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-relevo-webhook-secret': secret },
    body: JSON.stringify({
      type: 'INSERT',
      table: 'messages',
      schema: 'public',
      record: { id: message.id, conversation_id: message.conversationId, direction: message.direction },
      old_record: null,
    }),
  }
}
