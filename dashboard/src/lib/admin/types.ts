// Row and RPC shapes of the admin screens, as supabase/migrations define them (snake_case, untouched).
import type { Role } from '../types.ts'

export type ChannelStatus = 'starting' | 'qr' | 'ready' | 'disconnected' | 'logged_out'

export interface Channel {
  id: string
  tenant_id: string
  kind: string
  name: string
  phone: string | null
  status: ChannelStatus
  last_heartbeat_at: string | null
  status_changed_at: string
  relink_requested_at: string | null
}

/** The link QR of a channel: public.channel_links, readable by admins only (ADR 071). */
export interface ChannelLink {
  channel_id: string
  qr: string | null
  qr_expires_at: string | null
}

export type AiProvider = 'openai' | 'http'

/** The tenant columns an admin may change (grant update on public.tenants). */
export interface TenantSettings {
  ai_provider: AiProvider
  ai_model: string
  ai_http_url: string | null
  system_prompt: string
  language: 'es' | 'en'
  debounce_seconds: number
  context_messages: number
  auto_return_minutes: number | null
  handoff_keywords: string[]
  fallback_text: string
  shopify_shop_domain: string | null
}

export interface Tenant extends TenantSettings {
  id: string
  name: string
  updated_at: string
}

/** tenant_secrets_status(): which secrets are set, never their values. */
export interface SecretsStatus {
  openai_api_key: boolean
  shopify_access_token: boolean
  ai_http_secret: boolean
}

export interface SecretsInput {
  openai_api_key?: string
  shopify_access_token?: string
  ai_http_secret?: string
}

export interface Invitation {
  id: string
  email: string
  role: Role
  invited_by: string | null
  expires_at: string
  accepted_at: string | null
  revoked_at: string | null
  created_at: string
}

export interface CreatedInvitation {
  id: string
  code: string
  expires_at: string
}

export interface AuditEntry {
  id: number
  actor_id: string | null
  actor_kind: 'agent' | 'ai' | 'phone' | 'system' | 'connector'
  action: string
  conversation_id: string | null
  details: Record<string, unknown>
  created_at: string
}

/** dashboard_metrics(p_from, p_to). */
export interface Metrics {
  open_conversations: number
  needs_attention: number
  replies_by_author: Record<string, number>
  handoffs_by_reason: Record<string, number>
  takeovers: number
  median_first_response_seconds: Record<string, number>
  messages_per_hour: { hour: string; author: string; count: number }[]
  failed_deliveries: number
  ai_tokens_per_day: { day: string; prompt: number | null; completion: number | null }[]
}
