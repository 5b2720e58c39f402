/**
 * @module
 * A new store's first steps: is self-service open on this deployment, the account, the business.
 * The rules (one business per account, invite-only, rate limit) live in create_tenant (ADR 110);
 * the dashboard only asks.
 */

import type { PostgrestError } from '@supabase/supabase-js'
import { z } from 'zod/mini'
import { parseJson, secretsStatus } from '../admin/json-results.ts'
import { DeskError, toDeskError } from '../desk-error.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'
import type { ChecklistFacts } from './checklist.ts'

export type SignupMode = 'open' | 'invite-only'

const created = z.object({ tenant_id: z.string(), channel_id: z.string() })
export type CreatedTenant = z.infer<typeof created>

export interface NewBusiness {
  name: string
  language: 'es' | 'en'
  timezone: string
}

/** A `head: true` count query's number, or its failure as a DeskError. */
async function count(
  query: PromiseLike<{ count: number | null; error: PostgrestError | null; status: number }>,
) {
  const response = await query
  if (response.error) throw toDeskError(response.error, response.status)
  return response.count ?? 0
}

export function createOnboardingApi(db: Db) {
  return {
    /**
     * 'open' also when the question fails: the screen stays usable, and create_tenant still
     * refuses an invite-only deployment itself (ADR 110).
     */
    signupMode: async (): Promise<SignupMode> => {
      try {
        return (await result(db.rpc('signup_mode'))) === 'invite-only' ? 'invite-only' : 'open'
      } catch {
        return 'open'
      }
    },

    /**
     * true when the account is signed in at once; false when the project requires email
     * confirmation first (GoTrue then answers without a session and mails `redirectTo`).
     */
    signUp: async (input: { email: string; password: string; name: string; redirectTo: string }) => {
      const { data, error } = await db.auth.signUp({
        email: input.email,
        password: input.password,
        options: { data: { display_name: input.name }, emailRedirectTo: input.redirectTo },
      })
      if (error) {
        const code = error.code === 'user_already_exists' ? 'user_already_exists' : 'sign_up_failed'
        throw new DeskError(code, error.message, { cause: error })
      }
      return data.session !== null
    },

    createTenant: async (input: NewBusiness): Promise<CreatedTenant> =>
      parseJson(
        'create_tenant',
        created,
        await result(
          db.rpc('create_tenant', {
            p_name: input.name,
            p_language: input.language,
            p_timezone: input.timezone,
          }),
        ),
      ),

    /** What the checklist is computed from; RLS keeps every read to the admin's tenant. */
    checklistFacts: async (tenantId: string): Promise<ChecklistFacts> => {
      const head = { count: 'exact', head: true } as const
      const [channels, tenant, secrets, agents, invitations, conversations, replies] = await Promise.all([
        result(db.from('channels').select('status').is('archived_at', null)),
        result(
          db
            .from('tenants')
            .select('ai_provider, ai_http_url, shopify_shop_domain')
            .eq('id', tenantId)
            .single(),
        ),
        result(db.rpc('tenant_secrets_status')),
        count(db.from('agents').select('user_id', head)),
        count(db.from('invitations').select('id', head)),
        count(db.from('conversations').select('id', head)),
        count(db.from('ai_runs').select('id', head).eq('outcome', 'replied')),
      ])
      return {
        channelStatuses: channels.map((c) => c.status),
        aiProvider: tenant.ai_provider,
        aiHttpUrl: tenant.ai_http_url,
        openaiKeySet: parseJson('tenant_secrets_status', secretsStatus, secrets).openai_api_key,
        aiHasReplied: replies > 0,
        shopifyDomain: tenant.shopify_shop_domain,
        agentCount: agents,
        invitationCount: invitations,
        conversationCount: conversations,
      }
    },
  }
}

/** The IANA zones this browser knows, with the browser's own first when it is one of them. */
export function timezoneChoices(): { zones: string[]; preferred: string } {
  const zones = Intl.supportedValuesOf('timeZone')
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone
  return { zones, preferred: zones.includes(own) ? own : 'America/Mexico_City' }
}
