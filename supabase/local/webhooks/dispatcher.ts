import type { Logger } from 'pino'
import type { Database } from '../../src/db/index.ts'

/**
 * The local half of Supabase Database Webhooks (pg_net). The schema queues each request in
 * `private.webhook_requests` and NOTIFYs `relevo_webhooks` with its id; NOTIFY is delivered only
 * after commit, so a rolled-back write sends nothing, as with pg_net. Each request is POSTed with
 * its own timeout. Unlike pg_net (fire-and-forget), a request that fails to connect, times out or
 * gets a 5xx/429 is retried with exponential backoff while the target is down (issue 3: locally the
 * functions server often starts after the database). Every attempt is logged; the final outcome is
 * stored in `private.webhook_responses`. Production still has pg_net's semantics, which is why the
 * functions' sweeper exists.
 */
export interface WebhookDispatcherOptions {
  db: Database
  logger: Logger
  /** On start, requests younger than this without a response are sent (a restart does not drop them). */
  replayWindowMs?: number
  fetch?: typeof globalThis.fetch
  retry?: RetryPolicy
}

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

// 0.5 s, 1 s, 2 s … capped at 30 s: about two minutes of retries before giving up.
const DEFAULT_RETRY: RetryPolicy = { attempts: 9, baseDelayMs: 500, maxDelayMs: 30_000 }

export interface WebhookDispatcher {
  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  idle(): Promise<void>
  close(): Promise<void>
}

export const WEBHOOK_CHANNEL = 'relevo_webhooks'
export const USER_AGENT = 'pg_net/0.14.0'

interface RequestRow {
  url: string
  headers: Record<string, unknown> | null
  body: string
  timeout_ms: number
}

export async function startWebhookDispatcher(options: WebhookDispatcherOptions): Promise<WebhookDispatcher> {
  const { db, logger } = options
  const log = logger.child({ component: 'webhooks' })
  const send = options.fetch ?? globalThis.fetch
  const retry = options.retry ?? DEFAULT_RETRY
  const inFlight = new Map<string, Promise<void>>()
  const closing = new AbortController()
  let closed = false

  const deliver = (id: string): void => {
    if (closed || !/^\d+$/.test(id) || inFlight.has(id)) return
    const job = deliverOnce(id).finally(() => inFlight.delete(id))
    inFlight.set(id, job)
  }

  async function deliverOnce(id: string): Promise<void> {
    try {
      const { rows } = await db.query<RequestRow>(
        `select url, headers, body::text as body, timeout_ms from private.webhook_requests r
         where id = $1 and not exists (select from private.webhook_responses s where s.request_id = r.id)`,
        [id],
      )
      const request = rows[0]
      if (!request) return
      const { outcome, attempts } = await postWithRetry(id, request)
      await db.query(
        `insert into private.webhook_responses (request_id, status_code, content, error_msg, timed_out, attempts)
         values ($1, $2, $3, $4, $5, $6) on conflict (request_id) do nothing`,
        [
          id,
          outcome.status ?? null,
          outcome.content ?? null,
          outcome.error ?? null,
          outcome.timedOut,
          attempts,
        ],
      )
      if (isRetryable(outcome)) {
        log.warn({ requestId: id, attempts, error: outcome.error, status: outcome.status }, 'webhook gave up')
      }
    } catch (error) {
      log.error({ err: error, requestId: id }, 'webhook delivery could not be recorded')
    }
  }

  async function postWithRetry(
    id: string,
    request: RequestRow,
  ): Promise<{ outcome: Outcome; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      const started = Date.now()
      const outcome = await post(send, request)
      log.info(
        {
          requestId: id,
          attempt,
          status: outcome.status,
          timedOut: outcome.timedOut,
          ms: Date.now() - started,
        },
        'webhook delivery attempt',
      )
      if (!isRetryable(outcome) || attempt >= retry.attempts || closed) return { outcome, attempts: attempt }
      await sleep(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)), closing.signal)
    }
  }

  const unlisten = await db.listen(WEBHOOK_CHANNEL, deliver)
  await replayPending(db, options.replayWindowMs ?? 5 * 60_000, log).then((ids) => ids.forEach(deliver))

  return {
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()])
    },
    async close() {
      closed = true
      closing.abort()
      await unlisten()
      await Promise.allSettled([...inFlight.values()])
    },
  }
}

async function replayPending(db: Database, windowMs: number, log: Logger): Promise<string[]> {
  try {
    const { rows } = await db.query<{ id: string }>(
      `select id::text as id from private.webhook_requests r
       where r.created_at > now() - make_interval(secs => $1::double precision / 1000)
         and not exists (select from private.webhook_responses s where s.request_id = r.id)
       order by id`,
      [windowMs],
    )
    if (rows.length > 0) log.info({ count: rows.length }, 'sending webhooks queued before this start')
    return rows.map((row) => row.id)
  } catch (error) {
    // The schema that creates the queue may not be migrated yet; NOTIFYs still work once it is.
    log.info({ err: error }, 'no webhook queue to replay')
    return []
  }
}

/** Worth another try: the target was unreachable, too slow, overloaded or failing. */
function isRetryable(outcome: Outcome): boolean {
  return (
    outcome.error !== undefined ||
    (outcome.status !== undefined && (outcome.status >= 500 || outcome.status === 429))
  )
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

interface Outcome {
  status?: number
  content?: string
  error?: string
  timedOut: boolean
}

async function post(send: typeof globalThis.fetch, request: RequestRow): Promise<Outcome> {
  const url = URL.canParse(request.url) ? new URL(request.url) : undefined
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return { error: `Unsupported URL "${request.url}": only http and https`, timedOut: false }
  }
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, String(value))
  if (!headers.has('content-type')) headers.set('Content-Type', 'application/json')
  headers.set('User-Agent', USER_AGENT)
  try {
    const response = await send(url, {
      method: 'POST',
      headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeout_ms),
    })
    return { status: response.status, content: await response.text(), timedOut: false }
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError'
    const message = timedOut
      ? `Timeout of ${request.timeout_ms} ms reached`
      : String((error as Error).cause ?? error)
    return { error: message, timedOut }
  }
}
