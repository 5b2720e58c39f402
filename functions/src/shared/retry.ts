/**
 * @module
 * Bounded retries with exponential backoff and full jitter, for the adapters that own their
 * retries (http provider, Shopify THROTTLED answers). Flows never retry.
 */

export interface RetryOptions {
  /** Attempts after the first one. */
  retries: number
  baseDelayMs: number
  maxDelayMs: number
  /** Whether a failure is worth another attempt (e.g. 5xx, 429, network); others are thrown at once. */
  isRetryable: (error: unknown) => boolean
  /** A delay the error itself asks for (Retry-After, Shopify's restore rate), in ms. */
  delayHint?: (error: unknown) => number | undefined
  sleep?: (ms: number) => Promise<void>
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep
  for (let n = 0; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      if (n >= options.retries || !options.isRetryable(error)) throw error
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** n)
      const hinted = options.delayHint?.(error)
      await wait(Math.min(options.maxDelayMs, hinted ?? Math.random() * backoff))
    }
  }
}
