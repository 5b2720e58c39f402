/**
 * @module
 * The Hono app: routes, the one error handler, and the scheduled sweeper. `index.ts` only exports
 * handlers (workerd refuses other exports from the entry module); tests build the app with doubles.
 */
import { HEARTBEAT_STALE_SECONDS } from '@relevo/contracts/limits'
import { type Context, Hono } from 'hono'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { wakeDueSenders } from './cloud-api/wake.ts'
import type { Bindings } from './config/config.ts'
import { rateLimit, sharedRateLimit } from './http/rate-limit.ts'
import { type SweepReport, sweep } from './pipeline/sweep.ts'
import { cloudApiRoutes } from './routes/cloud-api.ts'
import { coordinatorRoutes } from './routes/coordinator.ts'
import { healthRoutes } from './routes/health.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { monitoringRoutes } from './routes/monitoring.ts'
import { pushRoutes } from './routes/push.ts'
import { shopifyRoutes } from './routes/shopify.ts'
import { signedByDatabase, webhookRoutes } from './routes/webhooks.ts'
import { whatsappWebhookRoutes } from './routes/whatsapp.ts'
import { RelevoError } from './shared/errors.ts'
import { createLogger } from './shared/logger.ts'
import { type AppDeps, services } from './wiring/services.ts'

const fallbackLogger = createLogger('error')

export function createApp(deps: AppDeps = {}) {
  const app = new Hono<{ Bindings: Bindings }>()
  // Public routes get a per-isolate brake. On the webhook only unsigned requests count: a busy
  // database may deliver hundreds a minute from one address, a forger should get 30.
  app.use('/health', rateLimit({ limit: 120, windowMs: 60_000 }))
  const signed = (c: Context) => signedByDatabase(c, deps)
  app.use('/webhooks/db', rateLimit({ limit: 30, windowMs: 60_000, skip: signed }))
  // Then the count every isolate shares (Cloudflare's rate-limiting binding). Meta's webhook
  // (/webhooks/whatsapp) is not limited: it carries no database signature, Meta may deliver bursts from
  // few addresses, and its HMAC cannot be guessed (ADR 120).
  app.use('/webhooks/db', sharedRateLimit('webhooks', signed))
  app.use('/api/*', sharedRateLimit('api'))
  // The dashboard (another origin) calls the Cloud API routes with a bearer token, never cookies.
  for (const path of ['/api/cloud-api/*', '/api/ai/*', '/api/shopify/*'])
    app.use(path, cors({ origin: '*', allowHeaders: ['authorization', 'content-type'] }))
  // A Test calls the tenant's coordinator: a few a minute is plenty for an admin at the screen.
  app.use('/api/ai/coordinator/test', rateLimit({ limit: 10, windowMs: 60_000 }))
  app.use('/api/push/*', cors({ origin: '*' }))
  app.use('/metrics', sharedRateLimit('metrics'))
  app.route('/health', healthRoutes())
  app.route('/webhooks/whatsapp', whatsappWebhookRoutes(deps))
  app.route('/webhooks', webhookRoutes(deps))
  app.route('/api/cloud-api', cloudApiRoutes(deps))
  app.route('/api/shopify', shopifyRoutes(deps))
  app.route('/api/ai', coordinatorRoutes(deps))
  app.route('/api/push', pushRoutes())
  app.route('/api', monitoringRoutes(deps))
  app.route('/metrics', metricsRoutes(deps))
  app.notFound((c) => c.json({ code: 'not_found', message: 'No such route' }, 404))

  app.onError((error, c) => {
    if (error instanceof RelevoError && error.status < 500) {
      return c.json({ code: error.code, message: error.message, hint: error.hint }, error.status as 400)
    }
    if (error instanceof HTTPException) return error.getResponse()
    const requestId = c.req.header('cf-ray') ?? crypto.randomUUID()
    const logger = deps.logger ?? fallbackLogger
    logger.error({ err: error, requestId, path: c.req.path }, 'request failed')
    if (error instanceof RelevoError) {
      // Server-side known errors (config, database): the code and next step help the operator.
      return c.json(
        { code: error.code, message: error.message, hint: error.hint, request_id: requestId },
        500,
      )
    }
    return c.json({ code: 'internal_error', message: 'Internal Server Error', request_id: requestId }, 500)
  })
  return app
}

/** The cron tick (wrangler.toml `[triggers] crons`). */
export async function runScheduled(
  env: Bindings,
  deps: AppDeps = {},
): Promise<SweepReport & { cloudSenders?: number }> {
  const svc = services(env, deps)
  const report: SweepReport & { cloudSenders?: number } = await sweep(svc, {
    minAgeSeconds: svc.config.SWEEP_MIN_AGE_SECONDS,
    heartbeatStaleSeconds: HEARTBEAT_STALE_SECONDS,
  })
  // Cloud API outboxes whose database webhook was dropped (or whose retry is due).
  try {
    report.cloudSenders = await wakeDueSenders(
      () => svc.maintenance.cloudChannelsWithDueOutbox(),
      svc.wakeSender,
    )
  } catch (error) {
    report.errors.push('cloud_outbox')
    svc.logger.error({ err: error, step: 'cloud_outbox' }, 'sweeper step failed')
  }
  svc.logger.info(report, 'sweeper tick')
  return report
}
