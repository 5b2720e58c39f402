/**
 * @module
 * One delivery attempt: POST the event's JSON, signed, to the endpoint, through the outbound URL
 * rules of ADR 073 (public addresses only, redirects checked). A 2xx within 10 s is delivered;
 * anything else (other status, timeout, refused URL, network error) is a failed attempt.
 */
import { fetchPublic } from '../shared/outbound-url.ts'
import type { AttemptOutcome, ClaimedDelivery, EndpointTarget } from './delivery-store.ts'
import { signatureHeader } from './sign.ts'

export const DELIVERY_TIMEOUT_MS = 10_000
export const USER_AGENT = 'Relevo-Webhooks/1'

export interface PostOptions {
  fetch: typeof fetch
  allowPrivate: boolean
  now: () => number
  timeoutMs?: number
}

export async function postEvent(
  target: EndpointTarget,
  delivery: ClaimedDelivery,
  options: PostOptions,
): Promise<AttemptOutcome> {
  const body = JSON.stringify(delivery.body)
  const started = options.now()
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    'X-Relevo-Event-Id': delivery.eventId,
    'X-Relevo-Event-Type': delivery.eventType,
    'X-Relevo-Signature': await signatureHeader(target.secret, Math.floor(started / 1000), body),
  }
  try {
    const response = await fetchPublic(
      target.url,
      {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      },
      { fetch: options.fetch, allowPrivate: options.allowPrivate },
    )
    // The answer's body is not kept (it may hold anything); reading it frees the connection.
    await response.body?.cancel()
    const ok = response.status >= 200 && response.status < 300
    return {
      statusCode: response.status,
      latencyMs: options.now() - started,
      error: ok ? null : `HTTP ${response.status}`,
    }
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError'
    const message = timedOut
      ? `no answer within ${options.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms`
      : String(error)
    return { statusCode: null, latencyMs: options.now() - started, error: message.slice(0, 500) }
  }
}
