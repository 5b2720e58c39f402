/**
 * @module
 * The `openai` SDK client as Relevo configures it (any OpenAI-compatible server through
 * `OPENAI_BASE_URL`, per-request timeout and retries), and what its failures mean, for the chat
 * provider and the transcriber alike.
 */
import OpenAI from 'openai'

export interface OpenAiClientOptions {
  apiKey: string
  baseURL?: string
  /** Per request. The SDK default is 10 minutes; a run has a budget for all its requests. */
  timeoutMs: number
  maxRetries: number
  fetch?: typeof fetch
}

export function createOpenAiClient(options: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? 'https://api.openai.com/v1',
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    // Never pass the bare global: Workers throw "Illegal invocation" on an unbound fetch.
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  })
}

/** A stable code and a message for an SDK failure; null when it is not one (a bug: rethrow). */
export function describeOpenAiError(error: unknown): { code: string; message: string } | null {
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return { code: 'provider_timeout', message: 'The model did not answer in time' }
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return { code: 'provider_unreachable', message: 'Could not reach the model server' }
  }
  if (error instanceof OpenAI.APIError) {
    return {
      code: `provider_http_${error.status ?? 'error'}`,
      message: `The model server answered ${error.status}`,
    }
  }
  return null
}
