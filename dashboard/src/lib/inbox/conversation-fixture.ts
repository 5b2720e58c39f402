import type { Conversation } from '../types.ts'

/** A conversation row for the inbox's tests: Lucía's open AI chat, nothing unread; `overrides` set the rest. */
export function conversationRow(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 'c1',
    tenant_id: 't',
    channel_id: 'ch',
    wa_chat_id: '5215512345678@c.us',
    customer_name: 'Lucía Pérez',
    customer_phone: '5215512345678',
    mode: 'ai',
    assigned_agent_id: null,
    status: 'open',
    needs_attention: false,
    attention_reason: null,
    unread_count: 0,
    last_message_at: '2026-11-25T10:00:00Z',
    last_message_preview: '¿Tienen la camiseta en talla M?',
    created_at: '2026-11-25T09:00:00Z',
    ...overrides,
  }
}
