// Row shapes the dashboard reads, as the schema defines them (supabase/migrations/*_core_tables.sql).
// They stay snake_case: they are database rows, passed through untouched.

export type Mode = 'ai' | 'human'
export type ConversationStatus = 'open' | 'closed'
export type Author = 'customer' | 'ai' | 'agent' | 'phone' | 'system'
export type DeliveryStatus =
  | 'received'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'cancelled'
export type Role = 'admin' | 'agent'

export interface Conversation {
  id: string
  tenant_id: string
  channel_id: string
  wa_chat_id: string
  customer_name: string | null
  customer_phone: string | null
  mode: Mode
  assigned_agent_id: string | null
  status: ConversationStatus
  needs_attention: boolean
  attention_reason: string | null
  unread_count: number
  last_message_at: string | null
  last_message_preview: string | null
  created_at: string
}

export interface Message {
  id: string
  tenant_id: string
  conversation_id: string
  direction: 'in' | 'out'
  author: Author
  agent_id: string | null
  body: string
  type: string
  media: Record<string, unknown> | null
  private: boolean
  status: DeliveryStatus
  error: string | null
  client_ref: string | null
  in_reply_to: string | null
  created_at: string
  /** Deleted for everyone on WhatsApp: body is '' and media null from then on. */
  deleted_at: string | null
  /** Edited on WhatsApp: body holds the edited text. */
  edited_at: string | null
}

export interface Agent {
  user_id: string
  tenant_id: string
  display_name: string
  email: string
  role: Role
  active: boolean
}

export interface AiTool {
  name?: string
  [key: string]: unknown
}

export interface AiRun {
  id: string
  conversation_id: string
  trigger_message_id: string | null
  reply_message_id: string | null
  provider: string
  model: string | null
  latency_ms: number
  tools: AiTool[]
  outcome: 'replied' | 'handoff' | 'dropped' | 'failed' | 'skipped'
  reason: string | null
  created_at: string
}

export interface CannedReply {
  id: string
  shortcut: string
  body: string
}

/** What a tenant feed event carries (realtime.broadcast_changes). */
export interface Change<T = Record<string, unknown>> {
  operation: 'INSERT' | 'UPDATE' | 'DELETE'
  table: string
  schema: string
  record: T | null
  old_record: T | null
}
