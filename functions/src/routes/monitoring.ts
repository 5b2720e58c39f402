/**
 * @module
 * The monitoring API: GET /api/status, /api/conversations, /api/agents (admin JWT or ops token),
 * and the compatibility form GET /api/whatsapp-hybrid?action=status|conversations|agents that
 * existing integrations call.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { listAgents, listConversations, readStatus } from '../adapters/monitoring.ts'
import { type Config, readConfig } from '../config/config.ts'
import { type AuthEnv, type Caller, requireCaller } from '../http/auth.ts'
import { InputError } from '../shared/errors.ts'
import type { AppDeps } from '../wiring/services.ts'
import { monitoringOpenApi } from './monitoring-openapi.ts'

const query = z.object({
  tenant_id: z.uuid().optional(),
  mode: z.enum(['ai', 'human']).optional(),
  needs_attention: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().default(50),
  action: z.enum(['status', 'conversations', 'agents']).optional(),
})
type Query = z.output<typeof query>

function parseQuery(raw: Record<string, string>): Query {
  const parsed = query.safeParse(raw)
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ')
    throw new InputError('invalid_query', `Invalid query parameters: ${fields}`)
  }
  return parsed.data
}

/** Agents are held to their tenant by RLS; ops may pick one. */
const scope = (caller: Caller, q: Query) => ({ tenantId: caller.kind === 'ops' ? q.tenant_id : undefined })

async function answer(
  action: 'status' | 'conversations' | 'agents',
  caller: Caller,
  q: Query,
  config: Config,
) {
  const filter = scope(caller, q)
  switch (action) {
    case 'status': {
      const deploymentKey = Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL)
      return { ok: true as const, ...(await readStatus(caller.db, { ...filter, deploymentKey })) }
    }
    case 'conversations': {
      const needsAttention = q.needs_attention === undefined ? undefined : q.needs_attention === 'true'
      return {
        conversations: await listConversations(caller.db, {
          ...filter,
          mode: q.mode,
          needsAttention,
          limit: q.limit,
        }),
      }
    }
    case 'agents':
      return listAgents(caller.db, filter)
  }
}

export function monitoringRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>()
  // Per route, not app.use('*'): mounted under /api, a wildcard would also guard /api/shopify.
  const auth = requireCaller({ admin: true, ops: true, supabaseFetch: deps.supabaseFetch })
  for (const action of ['status', 'conversations', 'agents'] as const) {
    app.get(`/${action}`, auth, async (c) => {
      return c.json(await answer(action, c.var.caller, parseQuery(c.req.query()), readConfig(c.env)))
    })
  }
  app.get('/whatsapp-hybrid', auth, async (c) => {
    const q = parseQuery(c.req.query())
    if (!q.action) throw new InputError('invalid_query', 'action must be status, conversations or agents')
    return c.json(await answer(q.action, c.var.caller, q, readConfig(c.env)))
  })
  // The document of this API (functions/openapi/monitoring.json), public like any API description.
  app.get('/openapi.json', (c) => c.json(monitoringOpenApi()))
  return app
}
