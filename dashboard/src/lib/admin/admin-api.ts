import type { SupabaseClient } from '@supabase/supabase-js'
import { DeskError, toDeskError } from '../desk-error.ts'
import type { Agent, Role } from '../types.ts'
import type {
  AuditEntry,
  Channel,
  ChannelLink,
  CreatedInvitation,
  Invitation,
  Metrics,
  SecretsInput,
  SecretsStatus,
  Tenant,
  TenantSettings,
} from './types.ts'

const TENANT_COLUMNS =
  'id, name, ai_provider, ai_model, ai_http_url, system_prompt, language, debounce_seconds, context_messages, auto_return_minutes, handoff_keywords, fallback_text, shopify_shop_domain, updated_at'
// Column-level grant: token_hash is not selectable, so `*` would be refused on Postgres.
const INVITATION_COLUMNS = 'id, email, role, invited_by, expires_at, accepted_at, revoked_at, created_at'

/** The admin screens' reads and writes: RLS decides who may, the SQL functions audit. */
export function createAdminApi(db: SupabaseClient) {
  async function rows<T>(query: PromiseLike<{ data: unknown; error: unknown; status: number }>): Promise<T> {
    const { data, error, status } = await query
    if (error) throw toDeskError(error as object, status)
    return data as T
  }
  const rpc = <T>(fn: string, args?: Record<string, unknown>) => rows<T>(db.rpc(fn, args))

  return {
    channels: () => rows<Channel[]>(db.from('channels').select('*').order('created_at')),
    channelLinks: () => rows<ChannelLink[]>(db.from('channel_links').select('channel_id, qr, qr_expires_at')),
    requestRelink: (channelId: string) => rpc<null>('request_relink', { p_channel_id: channelId }),

    tenant: (id: string) => rows<Tenant>(db.from('tenants').select(TENANT_COLUMNS).eq('id', id).single()),
    /** RLS turns a refused update into zero rows, not an error: that is reported as not_saved. */
    updateSettings: async (id: string, patch: Partial<TenantSettings>) => {
      const updated = await rows<Tenant[]>(
        db.from('tenants').update(patch).eq('id', id).select(TENANT_COLUMNS),
      )
      const row = updated[0]
      if (!row) throw new DeskError('not_saved', 'The settings update changed no row', false, false)
      return row
    },
    secretsStatus: () => rpc<SecretsStatus>('tenant_secrets_status'),
    /** Empty fields are sent as null, which keeps the stored secret. */
    setSecrets: (input: SecretsInput) =>
      rpc<null>('set_tenant_secrets', {
        p_openai_api_key: input.openai_api_key || null,
        p_shopify_access_token: input.shopify_access_token || null,
        p_ai_http_secret: input.ai_http_secret || null,
      }),

    invitations: () =>
      rows<Invitation[]>(
        db
          .from('invitations')
          .select(INVITATION_COLUMNS)
          .order('created_at', { ascending: false })
          .limit(100),
      ),
    invite: (email: string, role: Role) =>
      rpc<CreatedInvitation>('create_invitation', { p_email: email, p_role: role }),
    revokeInvitation: (id: string) => rpc<null>('revoke_invitation', { p_invitation_id: id }),
    acceptInvitation: (code: string, displayName: string) =>
      rpc<Agent>('accept_invitation', { p_code: code, p_display_name: displayName }),
    updateAgent: async (userId: string, patch: Partial<Pick<Agent, 'role' | 'active' | 'display_name'>>) => {
      const updated = await rows<Agent[]>(db.from('agents').update(patch).eq('user_id', userId).select('*'))
      const row = updated[0]
      if (!row) throw new DeskError('not_saved', 'The agent update changed no row', false, false)
      return row
    },

    metrics: (from: Date, to: Date) =>
      rpc<Metrics>('dashboard_metrics', { p_from: from.toISOString(), p_to: to.toISOString() }),
    audit: (limit = 200) =>
      rows<AuditEntry[]>(
        db.from('audit_log').select('*').order('created_at', { ascending: false }).limit(limit),
      ),
  }
}

export type AdminApi = ReturnType<typeof createAdminApi>
