/**
 * @module
 * GET /metrics — Prometheus text format, for the ops token only (it spans every tenant).
 */
import { Hono } from 'hono'
import { renderMetrics } from '../adapters/metrics.ts'
import { type AuthEnv, requireCaller } from '../http/auth.ts'
import type { AppDeps } from '../wiring/services.ts'

export function metricsRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>()
  const auth = requireCaller({ admin: true, ops: true, supabaseFetch: deps.supabaseFetch })
  app.get('/', auth, async (c) => {
    if (c.var.caller.kind !== 'ops') {
      return c.json({ code: 'ops_only', message: 'Metrics span every tenant: use the ops token' }, 403)
    }
    return c.text(await renderMetrics(c.var.caller.db), 200, { 'content-type': 'text/plain; version=0.0.4' })
  })
  return app
}
