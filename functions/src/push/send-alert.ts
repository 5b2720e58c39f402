/**
 * @module
 * One alert (a chat needs a person, or a customer wrote in an agent's chat) pushed to every browser
 * SQL names for it (`push_targets`), each through the outbound URL rules of ADR 073. The push
 * service's answer goes back to SQL (`finish_push`): a gone subscription (404, 410) is deleted.
 * Best effort, no retries: an alert that arrives late is worth less than none (ADR 097).
 */
import { z } from 'zod'
import type { Logger } from '../shared/logger.ts'
import { fetchPublic } from '../shared/outbound-url.ts'
import { buildPushRequest, type PushTarget, type VapidKeys } from './web-push.ts'

/** The database webhook's record for an alert (migration 20261205040100). */
export const pushAlert = z.object({
  conversation_id: z.uuid(),
  kind: z.enum(['needs_person', 'customer_message']),
  message_id: z.uuid().nullable(),
})
export type PushAlert = z.infer<typeof pushAlert>

export interface AlertTarget extends PushTarget {
  subscriptionId: string
  /** What the service worker shows: {title, body, url, tag, kind}. */
  notification: Record<string, unknown>
}

export interface PushStore {
  targets(alert: PushAlert): Promise<AlertTarget[]>
  finish(subscriptionId: string, status: number): Promise<void>
}

export interface PushDeps {
  store: PushStore
  keys: VapidKeys
  fetch: typeof fetch
  allowPrivate: boolean
  now: () => number
  logger: Logger
}

export const PUSH_TIMEOUT_MS = 10_000
// A chat alert older than an hour is stale: the push service may drop it rather than deliver it late.
const TTL_SECONDS = 3600

export interface PushReport {
  sent: number
  failed: number
}

export async function sendAlert(alert: PushAlert, deps: PushDeps): Promise<PushReport> {
  const targets = await deps.store.targets(alert)
  const outcomes = await Promise.all(targets.map((target) => pushOne(target, deps)))
  const sent = outcomes.filter((status) => status >= 200 && status < 300).length
  deps.logger.info(
    { kind: alert.kind, conversationId: alert.conversation_id, sent, failed: targets.length - sent },
    'push alert',
  )
  return { sent, failed: targets.length - sent }
}

/** The push service's status, or 0 when it could not be reached (not recorded as an answer). */
async function pushOne(target: AlertTarget, deps: PushDeps): Promise<number> {
  try {
    const request = await buildPushRequest(target, JSON.stringify(target.notification), deps.keys, {
      ttlSeconds: TTL_SECONDS,
      urgency: 'high',
      nowMs: deps.now(),
    })
    const response = await fetchPublic(
      target.endpoint,
      {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      },
      { fetch: deps.fetch, allowPrivate: deps.allowPrivate },
    )
    await response.body?.cancel()
    await deps.store.finish(target.subscriptionId, response.status)
    return response.status
  } catch (error) {
    deps.logger.warn({ err: error, subscriptionId: target.subscriptionId }, 'push not delivered')
    return 0
  }
}
