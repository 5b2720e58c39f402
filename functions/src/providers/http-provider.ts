/**
 * @module
 * The `http` provider: the tenant's own "sales coordinator". We POST the chat as documented JSON
 * (functions/README.md, "HTTP provider contract"), signed with the tenant's own secret, and accept
 * `{reply}` or `{handoff: true, reason}`. Retries: network errors, 408, 429 and 5xx, with backoff
 * and jitter. The URL is the tenant's choice, so it must be public (lib/outbound-url.ts, ADR 073).
 */
import { z } from 'zod'
import { type AiContext, type AiProvider, ProviderError, type ProviderResult } from '../pipeline/provider.ts'
import { fetchPublic, OutboundUrlError } from '../shared/outbound-url.ts'
import { withRetry } from '../shared/retry.ts'
import { signBody } from '../shared/signature.ts'

export interface HttpProviderOptions {
  url: string
  /** The tenant's coordinator secret: signs every request, is never sent itself. */
  secret: string
  /** RELEVO_ALLOW_PRIVATE_URLS=1: loopback and private addresses are allowed. */
  allowPrivate: boolean
  timeoutMs: number
  retries?: number
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
}

const answer = z.union([
  z.object({ reply: z.string().trim().min(1).max(4096) }),
  z.object({ handoff: z.literal(true), reason: z.string().trim().max(500).optional() }),
])

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504])

/** Version 1 of the request body; add fields, never rename them (tenants' servers parse it). */
export function httpProviderBody(context: AiContext) {
  return {
    version: 1,
    tenant: { id: context.tenant.id, name: context.tenant.name, language: context.tenant.language },
    conversation: { id: context.conversation.id, channel_id: context.conversation.channelId },
    customer: { name: context.customer.name, phone: context.customer.phone },
    trigger_message_id: context.triggerMessageId,
    messages: context.messages.map((m) => ({
      id: m.id,
      author: m.author,
      body: m.body,
      created_at: m.createdAt,
    })),
  }
}

export function createHttpProvider(options: HttpProviderOptions): AiProvider {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init))
  return {
    name: 'http',
    model: null,
    async generate(context: AiContext): Promise<ProviderResult> {
      const body = JSON.stringify(httpProviderBody(context))
      const data = await withRetry(
        async () => {
          let response: Response
          try {
            // Signed per attempt, so a retry carries a fresh timestamp.
            const timestamp = Math.floor(Date.now() / 1000)
            const headers = {
              'content-type': 'application/json',
              accept: 'application/json',
              'x-relevo-timestamp': String(timestamp),
              'x-relevo-signature': await signBody(options.secret, timestamp, body),
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
            throw new ProviderError(
              `provider_http_${response.status}`,
              `HTTP provider answered ${response.status}`,
            )
          }
          return response.json().catch((error: unknown) => {
            throw new ProviderError('provider_bad_answer', 'HTTP provider answered non-JSON', {
              cause: error,
            })
          })
        },
        {
          retries: options.retries ?? 2,
          baseDelayMs: 250,
          maxDelayMs: 2_000,
          isRetryable: (e) =>
            e instanceof ProviderError &&
            (e.code === 'provider_timeout' ||
              e.code === 'provider_unreachable' ||
              RETRYABLE_STATUS.has(Number(e.code.replace('provider_http_', '')))),
          ...(options.sleep ? { sleep: options.sleep } : {}),
        },
      )
      const parsed = answer.safeParse(data)
      if (!parsed.success) {
        throw new ProviderError(
          'provider_bad_answer',
          'HTTP provider answer is neither {reply} nor {handoff, reason}',
        )
      }
      const usage = { promptTokens: 0, completionTokens: 0 }
      if ('reply' in parsed.data) {
        return { decision: { kind: 'reply', text: parsed.data.reply }, model: null, usage, tools: [] }
      }
      const reason = parsed.data.reason
        ? `http: ${parsed.data.reason}`
        : 'http: coordinator asked for a human'
      return { decision: { kind: 'handoff', reason }, model: null, usage, tools: [] }
    },
  }
}
