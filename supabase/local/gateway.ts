import type { MiddlewareHandler } from 'hono'
import type { StandInEnv } from './context.ts'
import type { ApiKeys } from './keys.ts'

/**
 * What Supabase's API gateway (Kong) does before a request reaches PostgREST or GoTrue:
 * it requires a known API key (`apikey` header or query param) and, when the client sent no
 * Authorization header, forwards the key itself as the bearer token.
 */
export function apiKeyGate(keys: ApiKeys): MiddlewareHandler<StandInEnv> {
  const known = new Set([keys.anonKey, keys.serviceRoleKey, keys.publishableKey, keys.secretKey])
  return async function apiKeyGate(c, next) {
    if (c.req.method === 'OPTIONS') return next()
    const apikey = c.req.header('apikey') ?? new URL(c.req.url).searchParams.get('apikey')
    if (!apikey) return c.json({ message: 'No API key found in request' }, 401)
    if (!known.has(apikey)) {
      return c.json(
        { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
        401,
      )
    }
    const authorization = c.req.header('Authorization') ?? ''
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim()
    c.set('bearer', bearer ?? apikey)
    return next()
  }
}

/** The CORS answers a browser client needs: every header supabase-js may send. */
export const CORS_OPTIONS = {
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: [
    'apikey',
    'authorization',
    'x-client-info',
    'content-type',
    'accept',
    'accept-profile',
    'content-profile',
    'prefer',
    'range',
    'x-supabase-api-version',
    'x-retry-count',
    'traceparent',
    'tracestate',
    'baggage',
    // storage-js uploads (a browser's upload is refused in the preflight without them, as on Supabase it is not).
    'x-upsert',
    'cache-control',
    'x-metadata',
    'content-encoding',
  ],
  exposeHeaders: ['content-range', 'x-supabase-api-version', 'x-total-count', 'link'],
  maxAge: 86400,
}
