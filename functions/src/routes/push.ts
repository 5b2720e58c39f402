/**
 * @module
 * GET /api/push/key — the deployment's VAPID public key, which the desk passes to
 * `pushManager.subscribe` as `applicationServerKey` (ADR 097). Public by nature: it is sent in
 * every push request's `k=` too. 404 with the next step when Web Push is not configured.
 */
import { Hono } from 'hono'
import { type Bindings, readConfig, vapidKeys } from '../config/config.ts'
import { RelevoError } from '../shared/errors.ts'

export function pushRoutes() {
  const app = new Hono<{ Bindings: Bindings }>()
  app.get('/key', (c) => {
    const keys = vapidKeys(readConfig(c.env))
    if (!keys) {
      throw new RelevoError('push_not_configured', 'This deployment has no VAPID keys: Web Push is off', {
        status: 404,
        hint: 'Set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (pnpm --filter @relevo/functions vapid-keys)',
      })
    }
    return c.json({ publicKey: keys.publicKey })
  })
  return app
}
