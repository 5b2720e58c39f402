import type { Context } from 'hono'
import { AuthApiError } from './errors.ts'

/**
 * GoTrue's limiter on `/token` (internal/api/apilimiter: `RateLimitTokenRefresh` per 5 minutes,
 * burst 30, keyed by the client's IP, for password sign-ins and refreshes alike): a token bucket
 * that refills `perFiveMinutes / 300` tokens a second. Over the limit is 429
 * `over_request_rate_limit`. `perFiveMinutes: 0` turns it off.
 */
export interface TokenRateLimit {
  perFiveMinutes: number
  burst: number
}

/** GoTrue's defaults (GOTRUE_RATE_LIMIT_TOKEN_REFRESH=150, burst 30). */
export const GOTRUE_TOKEN_RATE_LIMIT: TokenRateLimit = { perFiveMinutes: 150, burst: 30 }

interface Bucket {
  tokens: number
  at: number
}

export function tokenRateLimiter(limit: TokenRateLimit, now: () => number = Date.now) {
  const buckets = new Map<string, Bucket>()
  const perMs = limit.perFiveMinutes / 300_000
  const refill = (bucket: Bucket, time: number) =>
    Math.min(limit.burst, bucket.tokens + (time - bucket.at) * perMs)
  return function take(key: string): void {
    if (limit.perFiveMinutes <= 0) return
    const time = now()
    // Full buckets carry no state; dropping them keeps the map as small as the active clients.
    if (buckets.size > 10_000) {
      for (const [k, b] of buckets) if (refill(b, time) >= limit.burst) buckets.delete(k)
    }
    const bucket = buckets.get(key) ?? { tokens: limit.burst, at: time }
    bucket.tokens = refill(bucket, time)
    bucket.at = time
    buckets.set(key, bucket)
    if (bucket.tokens < 1)
      throw new AuthApiError(429, 'over_request_rate_limit', 'Request rate limit reached')
    bucket.tokens -= 1
  }
}

/** The client's IP as the socket sees it (the stand-in sits behind no proxy to trust). */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  return incoming?.socket?.remoteAddress ?? 'unknown'
}
