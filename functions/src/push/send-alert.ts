/**
 * @module
 * One alert (a chat needs a person, or a customer wrote in an agent's chat) pushed to every browser
 * SQL names for it (`push_targets`), each through the outbound URL rules of ADR 073. The push
 * service's answer goes back to SQL (`finish_push`): a gone subscription (404, 410) is deleted.
 * A busy or failing push service (429, 5xx, a network error) gets two more tries within the same
 * 10 s, waiting as `Retry-After` asks when it asks for at most 2 s (ADR 097): an alert that arrives
 * late is worth less than none, and the invocation stays short.
 */
import { z } from 'zod'
import type { Logger } from '../shared/logger.ts'
import { fetchPublic, OutboundUrlError } from '../shared/outbound-url.ts'
import { withRetry } from '../shared/retry.ts'
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
  sleep: (ms: number) => Promise<void>
  logger: Logger
}

/** Every attempt at one browser, and the waits between them, fit in this. */
export const PUSH_TIMEOUT_MS = 10_000
/** Attempts after the first, on 429, 5xx or a network error only. */
export const PUSH_RETRIES = 2
/** The longest wait between attempts; a `Retry-After` asking for more ends the tries. */
export const PUSH_MAX_WAIT_MS = 2_000
const PUSH_BASE_WAIT_MS = 250
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

/** A push service's answer worth another try (429, 5xx), with the wait it asked for. */
class PushBusy extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`push service answered ${status}`)
  }
}

/** `Retry-After` (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) in ms, or undefined. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/**
 * Worth another try: the service was busy and asked for a wait we can afford, or the request failed
 * on the network. Not a timeout (the 10 s are spent), a URL the rules refuse, or any other 4xx.
 */
function isRetryable(error: unknown): boolean {
  if (error instanceof PushBusy) return (error.retryAfterMs ?? 0) <= PUSH_MAX_WAIT_MS
  if (error instanceof OutboundUrlError) return false
  return !(error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
}

/** The push service's last status, or 0 when it could not be reached (not recorded as an answer). */
async function pushOne(target: AlertTarget, deps: PushDeps): Promise<number> {
  try {
    const status = await deliver(target, deps).catch((error: unknown) => {
      // Still busy after the tries: the status is recorded like any other refusal.
      if (error instanceof PushBusy) return error.status
      throw error
    })
    await deps.store.finish(target.subscriptionId, status)
    return status
  } catch (error) {
    deps.logger.warn({ err: error, subscriptionId: target.subscriptionId }, 'push not delivered')
    return 0
  }
}

/** POSTs one encrypted alert, trying again on 429, 5xx and network errors within PUSH_TIMEOUT_MS. */
async function deliver(target: AlertTarget, deps: PushDeps): Promise<number> {
  const deadline = Date.now() + PUSH_TIMEOUT_MS
  const request = await buildPushRequest(target, JSON.stringify(target.notification), deps.keys, {
    ttlSeconds: TTL_SECONDS,
    urgency: 'high',
    nowMs: deps.now(),
  })
  const attempt = async () => {
    const response = await fetchPublic(
      target.endpoint,
      {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      },
      { fetch: deps.fetch, allowPrivate: deps.allowPrivate },
    )
    await response.body?.cancel()
    if (response.status === 429 || response.status >= 500)
      throw new PushBusy(response.status, retryAfterMs(response.headers.get('retry-after'), Date.now()))
    return response.status
  }
  return withRetry(attempt, {
    retries: PUSH_RETRIES,
    baseDelayMs: PUSH_BASE_WAIT_MS,
    maxDelayMs: PUSH_MAX_WAIT_MS,
    isRetryable,
    delayHint: (error) => (error instanceof PushBusy ? error.retryAfterMs : undefined),
    sleep: deps.sleep,
  })
}
