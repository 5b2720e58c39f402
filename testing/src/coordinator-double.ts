/**
 * @module
 * A store's own "sales coordinator" that knows nothing of Relevo's contract (ADR 115): it takes
 * `{"input": {"text", "phone", "name", "history"}}` with `Authorization: Bearer <token>` and answers
 * `{"data": {"answer", "escalate", "why"}}`. It escalates when the text asks for a refund
 * (reembolso/refund) and otherwise echoes the text back, so a test sees which message it got.
 */

export interface CoordinatorDoubleOptions {
  /** The bearer token it accepts; anything else is a 401. */
  token: string
}

export interface CoordinatorRequest {
  headers: Headers
  body: { input?: { text?: string; phone?: string; name?: string; history?: unknown[] } }
}

export interface CoordinatorDouble {
  handle(request: Request): Promise<Response>
  requests: CoordinatorRequest[]
}

/** What the double answers to `text`: the mapping under test reads `data.answer` from it. */
export const coordinatorAnswer = (text: string) => `Coordinador: ${text}`

/**
 * A tenant's mapping (tenants.ai_http_mapping) that speaks the double's contract: bearer token from
 * {{secret}}, the answer, escalation and reason at data.answer / data.escalate / data.why. `body`
 * is the request template, which each test writes for what it checks.
 */
export function coordinatorMappingFor(body: string) {
  return {
    body,
    headers: { Authorization: 'Bearer {{secret}}' },
    reply_path: 'data.answer',
    handoff_path: 'data.escalate',
    reason_path: 'data.why',
  }
}

export function createCoordinatorDouble(options: CoordinatorDoubleOptions): CoordinatorDouble {
  const requests: CoordinatorRequest[] = []
  async function handle(request: Request): Promise<Response> {
    if (request.method !== 'POST') return Response.json({ error: 'POST only' }, { status: 405 })
    if (request.headers.get('authorization') !== `Bearer ${options.token}`)
      return Response.json({ error: 'unauthorized' }, { status: 401 })
    const body = (await request.json().catch(() => null)) as CoordinatorRequest['body'] | null
    const text = body?.input?.text
    if (!body || typeof text !== 'string')
      return Response.json({ error: 'input.text is required' }, { status: 422 })
    requests.push({ headers: request.headers, body })
    if (/reembolso|refund/i.test(text))
      return Response.json({ data: { answer: null, escalate: true, why: 'refund request' } })
    return Response.json({ data: { answer: coordinatorAnswer(text), escalate: false } })
  }
  return { handle, requests }
}
