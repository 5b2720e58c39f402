/**
 * @module
 * Meta's webhook for Cloud API numbers (ADR 120). `GET /webhooks/whatsapp` answers the verification
 * request (hub.mode=subscribe, hub.verify_token = a channel's verify token → the challenge as text;
 * otherwise 403). `POST /webhooks/whatsapp` checks X-Hub-Signature-256 against the routed channels'
 * app secrets (401 and nothing stored otherwise), stores messages and statuses, wakes the senders
 * of numbers that received files (they download them), then answers 200.
 */
import { Hono } from 'hono'
import { receiveWebhook } from '../cloud-api/receive-webhook.ts'
import type { Bindings } from '../config/config.ts'
import { AuthError } from '../shared/errors.ts'
import { type AppDeps, services } from '../wiring/services.ts'

export function whatsappWebhookRoutes(deps: AppDeps) {
  const app = new Hono<{ Bindings: Bindings }>()

  app.get('/', async (c) => {
    const mode = c.req.query('hub.mode')
    const token = c.req.query('hub.verify_token')
    const challenge = c.req.query('hub.challenge') ?? ''
    const known =
      mode === 'subscribe' && token ? await services(c.env, deps).cloudStore.verifyTokenKnown(token) : false
    if (!known) return c.text('Forbidden: wrong hub.mode or hub.verify_token', 403)
    return c.text(challenge, 200)
  })

  app.post('/', async (c) => {
    // The raw bytes: Meta signs the body as sent, so it is never re-serialized before the check.
    const raw = await c.req.arrayBuffer()
    const svc = services(c.env, deps)
    const result = await receiveWebhook(raw, c.req.header('x-hub-signature-256'), svc.cloudStore)
    if (result.outcome === 'unauthorized') {
      svc.logger.warn({ reason: result.reason }, 'Cloud API webhook refused')
      throw new AuthError('invalid_signature', 'Missing or wrong X-Hub-Signature-256', {
        status: 401,
        hint: "The app secret saved for the number must be the Meta app's secret (App settings → Basic)",
      })
    }
    if (result.unknownNumbers.length > 0) {
      svc.logger.warn(
        { phoneNumberIds: result.unknownNumbers },
        'Cloud API webhook for numbers no channel has',
      )
    }
    // Before the 200: a wake that fails makes Meta deliver again, and the file is still pending then.
    if (result.outcome === 'stored')
      for (const channelId of result.mediaChannels) await svc.wakeSender(channelId)
    svc.logger.info(result, 'Cloud API webhook')
    return c.json(result, 200)
  })
  return app
}
