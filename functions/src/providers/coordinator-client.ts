/**
 * @module
 * One call to a tenant's coordinator through its mapping (ADR 115): the body template filled in
 * JSON-safely, the extra headers (with the header secret where they say `{{secret}}`), Relevo's
 * signature when the tenant has a signing secret, and the answer read at the mapping's paths.
 * Retries: network errors, 408, 425, 429 and 5xx, with backoff and jitter. The URL is the
 * tenant's choice, so it must be public (shared/outbound-url.ts, ADR 073). The http provider and
 * the Settings screen's Test both call through here.
 */
import {
  type CoordinatorMapping,
  readPath,
  renderBody,
  renderHeader,
  type TemplateValues,
  usesSecret,
} from '@relevo/supabase/coordinator-mapping'
import { type ProviderDecision, ProviderError } from '../pipeline/provider.ts'
import { fetchPublic, OutboundUrlError } from '../shared/outbound-url.ts'
import { withRetry } from '../shared/retry.ts'
import { signBody } from '../shared/signature.ts'

export interface CoordinatorOptions {
  url: string
  mapping: CoordinatorMapping
  /** The tenant's signing secret: signs every request, is never sent itself. */
  secret: string | null
  /** The tenant's header secret: sent where a header value says `{{secret}}`; never logged. */
  headerSecret: string | null
  /** RELEVO_ALLOW_PRIVATE_URLS=1: loopback and private addresses are allowed. */
  allowPrivate: boolean
  timeoutMs: number
  retries?: number
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504])
const MAX_REPLY = 4096

export function createCoordinatorClient(options: CoordinatorOptions) {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init))
  const { mapping } = options
  const extraHeaders = Object.fromEntries(
    Object.entries(mapping.headers).map(([name, value]) => [
      name,
      renderHeader(value, options.headerSecret ?? ''),
    ]),
  )

  async function post(body: string): Promise<unknown> {
    let response: Response
    try {
      const headers: Record<string, string> = {
        ...extraHeaders,
        'content-type': 'application/json',
        accept: 'application/json',
      }
      if (options.secret) {
        // Signed per attempt, so a retry carries a fresh timestamp.
        const timestamp = Math.floor(Date.now() / 1000)
        headers['x-relevo-timestamp'] = String(timestamp)
        headers['x-relevo-signature'] = await signBody(options.secret, timestamp, body)
      }
      response = await fetchPublic(
        options.url,
        { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs) },
        { fetch: doFetch, allowPrivate: options.allowPrivate },
      )
    } catch (error) {
      if (error instanceof OutboundUrlError)
        throw new ProviderError('provider_url_refused', `HTTP provider URL refused: ${error.message}`, {
          cause: error,
        })
      const timeout = error instanceof DOMException && error.name === 'TimeoutError'
      throw new ProviderError(
        timeout ? 'provider_timeout' : 'provider_unreachable',
        'HTTP provider unreachable',
        {
          cause: error,
        },
      )
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new ProviderError(`provider_http_${response.status}`, `HTTP provider answered ${response.status}`)
    }
    return response.json().catch((error: unknown) => {
      throw new ProviderError('provider_bad_answer', 'HTTP provider answered non-JSON', { cause: error })
    })
  }

  return {
    /** The body this mapping sends for these values (the Test shows it). */
    body: (values: TemplateValues) => compactBody(mapping, values),
    async decide(values: TemplateValues): Promise<ProviderDecision> {
      if (usesSecret(mapping.headers) && !options.headerSecret) {
        throw new ProviderError(
          'provider_header_secret_missing',
          'A header uses {{secret}}, but no header secret is saved',
          { hint: "An admin saves the coordinator's header secret in Settings → Secrets" },
        )
      }
      const body = compactBody(mapping, values)
      const answer = await withRetry(() => post(body), {
        retries: options.retries ?? 2,
        baseDelayMs: 250,
        maxDelayMs: 2_000,
        isRetryable: (e) =>
          e instanceof ProviderError &&
          (e.code === 'provider_timeout' ||
            e.code === 'provider_unreachable' ||
            RETRYABLE_STATUS.has(Number(e.code.replace('provider_http_', '')))),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      })
      return mappedDecision(answer, mapping)
    },
  }
}

export type CoordinatorClient = ReturnType<typeof createCoordinatorClient>

/**
 * The filled template as compact JSON: the bytes signed and sent are the same whatever the
 * template's layout, and a template that does not fill to JSON (a schema the row escaped) fails here.
 */
function compactBody(mapping: CoordinatorMapping, values: TemplateValues): string {
  try {
    return JSON.stringify(JSON.parse(renderBody(mapping.body, values)))
  } catch (error) {
    throw new ProviderError('provider_bad_template', 'The body template does not fill in to JSON', {
      cause: error,
      hint: 'Fix the body template in Settings (placeholders inside quotes are escaped for you)',
    })
  }
}

/**
 * The answer read through the mapping: a true handoff flag wins (with the reason if there is
 * one), else the reply text. What is missing is named by its path, never by the answer's text.
 */
export function mappedDecision(answer: unknown, mapping: CoordinatorMapping): ProviderDecision {
  if (mapping.handoff_path) {
    const flag = readPath(answer, mapping.handoff_path)
    if (flag === true || flag === 'true') {
      const reason = mapping.reason_path ? readPath(answer, mapping.reason_path) : undefined
      const text = typeof reason === 'string' ? reason.trim().slice(0, 500) : ''
      return { kind: 'handoff', reason: text ? `http: ${text}` : 'http: coordinator asked for a human' }
    }
  }
  const reply = readPath(answer, mapping.reply_path)
  if (typeof reply === 'string' && reply.trim() && reply.trim().length <= MAX_REPLY)
    return { kind: 'reply', text: reply.trim() }
  const found =
    reply === undefined
      ? `nothing is at "${mapping.reply_path}"`
      : `"${mapping.reply_path}" is not a text of 1 to ${MAX_REPLY} characters`
  const handoff = mapping.handoff_path ? ` and "${mapping.handoff_path}" is not true` : ''
  throw new ProviderError('provider_bad_answer', `HTTP provider answer: ${found}${handoff}`, {
    hint: `Check the reply path against what the coordinator answers (top-level keys: ${topKeys(answer)})`,
  })
}

function topKeys(answer: unknown): string {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer))
    return 'none, it is not an object'
  return Object.keys(answer).slice(0, 10).join(', ') || 'none'
}
