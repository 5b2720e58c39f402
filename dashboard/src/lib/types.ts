// The rows the desk reads, as views of the generated schema types (@relevo/supabase/types, made from
// supabase/migrations): a migration that drops, renames or retypes a column the desk reads fails
// `pnpm typecheck` here or where it is read. They stay snake_case: they are database rows.
import type { Database, Enums, Tables } from '@relevo/supabase/types'
import type { SupabaseClient } from '@supabase/supabase-js'

/** The Supabase client, typed by the schema: table names, columns, RPC arguments and results. */
export type Db = SupabaseClient<Database>

export type ConversationStatus = Enums<'conversation_status'>
export type DeliveryStatus = Enums<'message_status'>
export type Role = Enums<'agent_role'>

export type Conversation = Pick<
  Tables<'conversations'>,
  | 'id'
  | 'tenant_id'
  | 'channel_id'
  | 'wa_chat_id'
  | 'customer_name'
  | 'customer_phone'
  | 'mode'
  | 'assigned_agent_id'
  | 'status'
  | 'needs_attention'
  | 'attention_reason'
  | 'unread_count'
  | 'last_message_at'
  | 'last_message_preview'
  | 'created_at'
>

/**
 * `deleted_at`: deleted for everyone on WhatsApp (body is '' and media null from then on);
 * `edited_at`: edited on WhatsApp (body holds the edited text);
 * `media_status`: where a file message's file is (pending, stored, failed, expired; null for others).
 */
export type Message = Pick<
  Tables<'messages'>,
  | 'id'
  | 'tenant_id'
  | 'conversation_id'
  | 'direction'
  | 'author'
  | 'agent_id'
  | 'body'
  | 'type'
  | 'media'
  | 'media_status'
  | 'media_error'
  | 'transcript'
  | 'private'
  | 'status'
  | 'error'
  | 'client_ref'
  | 'in_reply_to'
  | 'created_at'
  | 'deleted_at'
  | 'edited_at'
>

/** One hit of `search_messages`: the message, its chat and a snippet with U+E000/U+E001 around matches. */
export type SearchHit = Database['public']['Functions']['search_messages']['Returns'][number]

export type Agent = Pick<
  Tables<'agents'>,
  'user_id' | 'tenant_id' | 'display_name' | 'email' | 'role' | 'active'
>

export type AiRun = Pick<
  Tables<'ai_runs'>,
  | 'id'
  | 'conversation_id'
  | 'trigger_message_id'
  | 'reply_message_id'
  | 'provider'
  | 'model'
  | 'latency_ms'
  | 'tools'
  | 'outcome'
  | 'reason'
  | 'created_at'
>

/** `owner_id` null: shared by the tenant (admins manage it); otherwise one agent's own. */
export type CannedReply = Pick<Tables<'canned_replies'>, 'id' | 'shortcut' | 'body' | 'owner_id'>

export type Label = Pick<Tables<'labels'>, 'id' | 'name' | 'color'>
/** A number of the store as the inbox names it; removed ones (archived_at) still name their chats. */
export type InboxChannel = Pick<Tables<'channels'>, 'id' | 'name' | 'phone' | 'archived_at'>
export type ConversationLabel = Pick<Tables<'conversation_labels'>, 'conversation_id' | 'label_id'>

type TableName = keyof Database['public']['Tables']

/** What a tenant feed event carries (realtime.broadcast_changes): one table's row, before and after. */
export type Change = {
  [T in TableName]: {
    operation: 'INSERT' | 'UPDATE' | 'DELETE'
    table: T
    schema: string
    record: Tables<T> | null
    old_record: Tables<T> | null
  }
}[TableName]
