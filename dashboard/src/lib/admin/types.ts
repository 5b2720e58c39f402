// The rows the admin screens read, as views of the generated schema types (@relevo/supabase/types):
// a migration that drops, renames or retypes a column they read fails `pnpm typecheck`.
import type { Tables } from '@relevo/supabase/types'

export type Channel = Pick<
  Tables<'channels'>,
  | 'id'
  | 'tenant_id'
  | 'kind'
  | 'name'
  | 'phone'
  | 'status'
  | 'last_heartbeat_at'
  | 'status_changed_at'
  | 'relink_requested_at'
>

/** The link QR of a channel: public.channel_links, readable by admins only (ADR 071). */
export type ChannelLink = Pick<Tables<'channel_links'>, 'channel_id' | 'qr' | 'qr_expires_at'>

/** The tenant columns an admin may change (grant update on public.tenants). */
export type TenantSettings = Pick<
  Tables<'tenants'>,
  | 'ai_provider'
  | 'ai_model'
  | 'ai_http_url'
  | 'ai_http_mapping'
  | 'system_prompt'
  | 'language'
  | 'debounce_seconds'
  | 'context_messages'
  | 'auto_return_minutes'
  | 'handoff_keywords'
  | 'fallback_text'
  | 'shopify_shop_domain'
  | 'ai_accepts_images'
  | 'transcription_model'
>

export type Tenant = TenantSettings & Pick<Tables<'tenants'>, 'id' | 'name' | 'updated_at'>

/** token_hash is left out: its column-level grant keeps it unreadable. */
export type Invitation = Pick<
  Tables<'invitations'>,
  'id' | 'email' | 'role' | 'invited_by' | 'expires_at' | 'accepted_at' | 'revoked_at' | 'created_at'
>

export type AuditEntry = Pick<
  Tables<'audit_log'>,
  'id' | 'actor_id' | 'actor_kind' | 'action' | 'conversation_id' | 'details' | 'created_at'
>
