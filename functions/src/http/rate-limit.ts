/**
 * @module
 * A fixed-window limiter per client IP for public routes. It lives in the isolate, so it is a
 * best-effort brake against floods from one address, not a global quota (that would need a
 * Durable Object or Cloudflare's rate-limit binding; see functions/README.md).
 */
import type { Context, MiddlewareHandler } from 'hono'

export interface RateLimitOptions {
  limit: number
  windowMs: number
  now?: () => number
  /** Requests that should not count (e.g. a webhook with the right secret: the database is no flood). */
  skip?: (c: Context) => Promise<boolean>
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const hits = new Map<string, { windowStart: number; count: number }>()
  const now = options.now ?? Date.now
  return async function rateLimiter(c, next) {
    if (await options.skip?.(c)) return next()
    const ip =
      c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local'
    const t = now()
    const entry = hits.get(ip)
    if (!entry || t - entry.windowStart >= options.windowMs) {
      if (hits.size > 10_000) hits.clear() // bound memory under a spray of addresses
      hits.set(ip, { windowStart: t, count: 1 })
    } else if (++entry.count > options.limit) {
      const retryAfter = String(Math.ceil((entry.windowStart + options.windowMs - t) / 1000))
      return c.json(
        { code: 'rate_limited', message: 'Too many requests', hint: 'Slow down and retry later' },
        429,
        {
          'retry-after': retryAfter,
        },
      )
    }
    await next()
  }
}
