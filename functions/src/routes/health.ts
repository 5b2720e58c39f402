/**
 * @module
 * GET /health — liveness plus what is configured (never the values), for `pnpm dev` and probes.
 */
import { Hono } from 'hono'
import { type Bindings, readConfig } from '../config/config.ts'

export function healthRoutes() {
  const app = new Hono<{ Bindings: Bindings }>()
  app.get('/', (c) => {
    const config = readConfig(c.env)
    return c.json({
      ok: true,
      service: 'relevo-functions',
      configured: {
        database: Boolean(config.SUPABASE_SERVICE_ROLE_KEY),
        webhook_secret: Boolean(config.WEBHOOK_SECRET),
        ai: Boolean(config.OPENAI_API_KEY),
        ops_token: Boolean(config.OPS_TOKEN),
      },
    })
  })
  return app
}
