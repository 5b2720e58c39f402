import { DeskError } from '../desk-error.ts'
import { result } from '../query-result.ts'
import type { Agent, Db, Role } from '../types.ts'
import { createdInvitation, metrics, parseJson, type SecretsInput, secretsStatus } from './json-results.ts'
import type { TenantSettings } from './types.ts'

const TENANT_COLUMNS =
  'id, name, ai_provider, ai_model, ai_http_url, ai_http_mapping, system_prompt, language, debounce_seconds, context_messages, auto_return_minutes, handoff_keywords, fallback_text, shopify_shop_domain, ai_accepts_images, transcription_model, updated_at'
// Column-level grant: token_hash is not selectable, so `*` would be refused on Postgres.
const INVITATION_COLUMNS = 'id, email, role, invited_by, expires_at, accepted_at, revoked_at, created_at'

/** The admin screens' reads and writes: RLS decides who may, the SQL functions audit. */
export function createAdminApi(db: Db) {
  return {
    // The store's numbers; removed ones (archived_at) only name their old chats in the inbox.
    channels: () => result(db.from('channels').select('*').is('archived_at', null).order('created_at')),
    channelLinks: () => result(db.from('channel_links').select('channel_id, qr, qr_expires_at')),
    requestRelink: (channelId: string) => result(db.rpc('request_relink', { p_channel_id: channelId })),

    tenant: (id: string) => result(db.from('tenants').select(TENANT_COLUMNS).eq('id', id).single()),
    /** RLS turns a refused update into zero rows, not an error: that is reported as not_saved. */
    updateSettings: async (id: string, patch: Partial<TenantSettings>) => {
      const updated = await result(db.from('tenants').update(patch).eq('id', id).select(TENANT_COLUMNS))
      const row = updated[0]
      if (!row) throw new DeskError('not_saved', 'The settings update changed no row')
      return row
    },
    secretsStatus: async () =>
      parseJson('tenant_secrets_status', secretsStatus, await result(db.rpc('tenant_secrets_status'))),
    /** Empty fields are left out (the arguments default to null), which keeps the stored secret. */
    setSecrets: (input: SecretsInput) =>
      result(
        db.rpc('set_tenant_secrets', {
          p_openai_api_key: input.openai_api_key || undefined,
          p_shopify_access_token: input.shopify_access_token || undefined,
          p_ai_http_secret: input.ai_http_secret || undefined,
          p_ai_http_header_secret: input.ai_http_header_secret || undefined,
        }),
      ),

    invitations: () =>
      result(
        db
          .from('invitations')
          .select(INVITATION_COLUMNS)
          .order('created_at', { ascending: false })
          .limit(100),
      ),
    invite: async (email: string, role: Role) =>
      parseJson(
        'create_invitation',
        createdInvitation,
        await result(db.rpc('create_invitation', { p_email: email, p_role: role })),
      ),
    revokeInvitation: (id: string) => result(db.rpc('revoke_invitation', { p_invitation_id: id })),
    acceptInvitation: (code: string, displayName: string) =>
      result(db.rpc('accept_invitation', { p_code: code, p_display_name: displayName })),
    updateAgent: async (userId: string, patch: Partial<Pick<Agent, 'role' | 'active' | 'display_name'>>) => {
      const updated = await result(db.from('agents').update(patch).eq('user_id', userId).select('*'))
      const row = updated[0]
      if (!row) throw new DeskError('not_saved', 'The agent update changed no row')
      return row
    },

    metrics: async (from: Date, to: Date) =>
      parseJson(
        'dashboard_metrics',
        metrics,
        await result(db.rpc('dashboard_metrics', { p_from: from.toISOString(), p_to: to.toISOString() })),
      ),
    audit: (limit = 200) =>
      result(db.from('audit_log').select('*').order('created_at', { ascending: false }).limit(limit)),
  }
}

export type AdminApi = ReturnType<typeof createAdminApi>
