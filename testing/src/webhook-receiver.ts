/**
 * @module
 * A tenant's webhook endpoint, for tests of events out (issue 20): records every request it gets
 * (headers, raw body, time) and answers 200, or fails the first N attempts of each event with a
 * 500 (`failEachEventTimes`), or every request while `down` is set. Its `delivered` list holds the
 * attempts it answered 2xx, in arrival order — what a receiver's system would have processed.
 */
import { type Served, serve } from './serve.ts'

export interface ReceivedRequest {
  eventId: string
  eventType: string
  signature: string
  rawBody: string
  body: { id: string; type: string; created_at: string; tenant_id: string; data: Record<string, unknown> }
  receivedAt: number
  /** The status this double answered. */
  status: number
}

export interface WebhookReceiver extends Served {
  /** Every request, failed ones included, in arrival order. */
  readonly requests: ReceivedRequest[]
  /** The requests answered 2xx, in arrival order. */
  readonly delivered: ReceivedRequest[]
  /** Fail the first `times` attempts of every event (by X-Relevo-Event-Id) with a 500. */
  failEachEventTimes(times: number): void
  /** While true, every request gets a 503. */
  down: boolean
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = []
  const attemptsByEvent = new Map<string, number>()
  let failTimes = 0
  const receiver = {
    requests,
    get delivered() {
      return requests.filter((r) => r.status >= 200 && r.status < 300)
    },
    failEachEventTimes(times: number) {
      failTimes = times
    },
    down: false,
  }
  const served = await serve(async (request) => {
    const rawBody = await request.text()
    const eventId = request.headers.get('x-relevo-event-id') ?? ''
    const attempt = (attemptsByEvent.get(eventId) ?? 0) + 1
    attemptsByEvent.set(eventId, attempt)
    const status = receiver.down ? 503 : attempt <= failTimes ? 500 : 200
    requests.push({
      eventId,
      eventType: request.headers.get('x-relevo-event-type') ?? '',
      signature: request.headers.get('x-relevo-signature') ?? '',
      rawBody,
      body: JSON.parse(rawBody) as ReceivedRequest['body'],
      receivedAt: Date.now(),
      status,
    })
    return new Response(status === 200 ? 'ok' : 'failing on purpose', { status })
  })
  return Object.assign(receiver, served)
}
