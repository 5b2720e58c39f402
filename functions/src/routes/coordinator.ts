/**
 * @module
 * The Settings screen's Test for the store's coordinator (ADR 115): `POST /api/ai/coordinator/test`
 * (admin JWT) sends a sample chat through the same mapping code the AI uses, to the URL and with
 * the mapping in the body (what the admin is editing) or else the saved ones, and answers the
 * mapped result or why there is none. The tenant's settings are read under RLS, its secrets with
 * the service role; neither secret is ever returned. The URL passes the outbound rules (ADR 073).
 */
import { coordinatorMapping, SAMPLE_VALUES } from '@relevo/supabase/coordinator-mapping'
import { Hono } from 'hono'
import { z } from 'zod'
import { check } from '../adapters/postgrest.ts'
import { serviceClient } from '../adapters/supabase.ts'
import { createSupabaseStore } from '../adapters/supabase-store.ts'
import { readConfig } from '../config/config.ts'
import { type AuthEnv, requireCaller } from '../http/auth.ts'
import { ProviderError } from '../pipeline/provider.ts'
import { createCoordinatorClient } from '../providers/coordinator-client.ts'
import { coordinatorOptions } from '../providers/select-provider.ts'
import { AuthError, InputError, RelevoError } from '../shared/errors.ts'
import type { AppDeps } from '../wiring/services.ts'

/** Omitted: the saved value; `mapping: null`: Relevo's v1 contract. */
const testInput = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    mapping: coordinatorMapping.nullable().optional(),
  })
  .strict()

export function coordinatorRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>()
  const admin = requireCaller({ admin: true, ops: false, supabaseFetch: deps.supabaseFetch })

  app.post('/coordinator/test', admin, async (c) => {
    const caller = c.var.caller
    if (caller.kind !== 'agent')
      throw new AuthError('agent_required', 'Agent token required', { status: 403 })
    const input = testInput.safeParse(await c.req.json().catch(() => null))
    if (!input.success)
      throw new InputError('invalid_coordinator_test', z.prettifyError(input.error), {
        hint: 'Send {url?, mapping?}: a mapping has body, headers, reply_path, handoff_path, reason_path',
      })
    const config = readConfig(c.env)
    const saved = check(
      'load tenant',
      await caller.db
        .from('tenants')
        .select('ai_http_url, ai_http_mapping')
        .eq('id', caller.tenantId)
        .maybeSingle(),
    )
    const tenant = {
      aiHttpUrl: input.data.url ?? saved?.ai_http_url ?? null,
      aiHttpMapping:
        input.data.mapping === undefined
          ? coordinatorMapping.nullable().parse(saved?.ai_http_mapping ?? null)
          : input.data.mapping,
    }
    const secrets = await createSupabaseStore(serviceClient(config, deps.supabaseFetch)).getTenantSecrets(
      caller.tenantId,
    )
    const options = coordinatorOptions(tenant, secrets, config, deps.outbound)
    if (!options)
      throw new RelevoError('coordinator_not_configured', 'There is no coordinator to test yet', {
        status: 409,
        hint: tenant.aiHttpUrl
          ? "Relevo's v1 contract needs the HTTP service secret (Settings → Secrets), or choose another mapping"
          : 'Enter the HTTP service URL',
      })
    // One attempt: the admin is waiting, and the result says what failed.
    const client = createCoordinatorClient({ ...options, retries: 0 })
    const sent = JSON.parse(client.body(SAMPLE_VALUES))
    try {
      return c.json({ ok: true, sent, decision: await client.decide(SAMPLE_VALUES) })
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error
      return c.json({ ok: false, sent, code: error.code, message: error.message, hint: error.hint })
    }
  })
  return app
}
