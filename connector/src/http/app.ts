/**
 * @module
 * The connector's HTTP port (3100): `GET /health`, `GET /qr` (SVG) and, with the simulator
 * transport, the `/simulator/*` routes. One `onError` turns errors into `{code, message}`.
 * With a real transport (no simulator), the QR and the detailed health need
 * `Authorization: Bearer <CONNECTOR_TOKEN>`; a bare /health says only whether it serves.
 * No CORS headers are ever sent, and bodies must be JSON (415 otherwise).
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Logger } from 'pino'
import QRCode from 'qrcode'
import type { Health } from '../connector.ts'
import type { SessionSnapshot } from '../session/session-manager.ts'
import type { SimulatorTransport } from '../whatsapp/simulator.ts'
import { hasBearer, jsonBodiesOnly } from './guards.ts'
import { simulatorRoutes } from './simulator-routes.ts'

export interface AppOptions {
  health: () => Health
  session: () => SessionSnapshot
  logger: Logger
  simulator?: SimulatorTransport
  /** CONNECTOR_TOKEN: required for /qr and the detailed /health unless the transport is the simulator. */
  token?: string
}

export function createApp(o: AppOptions): Hono {
  const app = new Hono()
  app.use(jsonBodiesOnly)
  // The simulator is a local development transport; a real session's QR links the business number.
  const trusted = (header: string | undefined) => Boolean(o.simulator) || hasBearer(header, o.token)

  app.get('/health', (c) => {
    const health = o.health()
    // 503 lets Docker's HEALTHCHECK and orchestrators see a session that is not serving.
    const status = health.ok ? 200 : 503
    return trusted(c.req.header('authorization')) ? c.json(health, status) : c.json({ ok: health.ok }, status)
  })

  app.get('/qr', async (c) => {
    if (!trusted(c.req.header('authorization'))) {
      const message = o.token
        ? 'Send Authorization: Bearer <CONNECTOR_TOKEN> to see the QR'
        : 'Set CONNECTOR_TOKEN on the connector to serve the QR here, or scan it on the dashboard'
      return c.json({ code: 'unauthorized', message }, 401, { 'WWW-Authenticate': 'Bearer' })
    }
    const { qr, status } = o.session()
    if (!qr) {
      return c.json({ code: 'no_qr', message: `No QR to scan: the session is ${status}` }, 404)
    }
    const svg = await QRCode.toString(qr.text, { type: 'svg', margin: 2 })
    c.header('Cache-Control', 'no-store')
    c.header('X-QR-Expires-At', qr.expiresAt)
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml' })
  })

  if (o.simulator) app.route('/simulator', simulatorRoutes(o.simulator))

  app.notFound((c) => c.json({ code: 'not_found', message: `No route ${c.req.method} ${c.req.path}` }, 404))
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return c.json({ code: 'bad_request', message: error.message }, error.status)
    }
    const requestId = crypto.randomUUID()
    o.logger.error({ err: error.message, requestId }, 'unhandled HTTP error')
    return c.json({ code: 'internal', message: 'Internal error', requestId }, 500)
  })
  return app
}
