/**
 * @module
 * Two limiters per client IP. `rateLimit`: a fixed window in the isolate, the first line, a
 * best-effort brake that costs nothing. `sharedRateLimit`: Cloudflare's rate-limiting binding
 * (RATE_LIMITER in wrangler.toml), whose count every isolate of a location shares, so a flood
 * spread over many isolates is still stopped. Both answer 429 with Retry-After.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { RateLimitBinding } from '../config/config.ts'

export interface RateLimitOptions {
  limit: number
  windowMs: number
  now?: () => number
  /** Requests that should not count (e.g. a webhook with the right secret: the database is no flood). */
  skip?: (c: Context) => Promise<boolean>
}

function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local'
}

function tooMany(c: Context, retryAfterSeconds: number): Response {
  return c.json(
    { code: 'rate_limited', message: 'Too many requests', hint: 'Slow down and retry later' },
    429,
    {
      'retry-after': String(retryAfterSeconds),
    },
  )
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const hits = new Map<string, { windowStart: number; count: number }>()
  const now = options.now ?? Date.now
  return async function rateLimiter(c, next) {
    if (await options.skip?.(c)) return next()
    const ip = clientIp(c)
    const t = now()
    const entry = hits.get(ip)
    if (!entry || t - entry.windowStart >= options.windowMs) {
      if (hits.size > 10_000) hits.clear() // bound memory under a spray of addresses
      hits.set(ip, { windowStart: t, count: 1 })
    } else if (++entry.count > options.limit) {
      return tooMany(c, Math.ceil((entry.windowStart + options.windowMs - t) / 1000))
    }
    await next()
  }
}

/** The binding's period (wrangler.toml `simple.period`): a refused client retries after it. */
const SHARED_PERIOD_SECONDS = 60

/**
 * Counts each request under `<group>:<ip>` in the RATE_LIMITER binding. Without the binding (a
 * deployment that removed it) only the in-isolate brake applies.
 */
export function sharedRateLimit(
  group: string,
  skip?: (c: Context) => Promise<boolean>,
): MiddlewareHandler<{ Bindings: { RATE_LIMITER?: RateLimitBinding } }> {
  return async function sharedRateLimiter(c, next) {
    const limiter = c.env?.RATE_LIMITER
    if (!limiter || (await skip?.(c))) return next()
    const { success } = await limiter.limit({ key: `${group}:${clientIp(c)}` })
    if (!success) return tooMany(c, SHARED_PERIOD_SECONDS)
    await next()
  }
}
