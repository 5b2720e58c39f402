import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'

/**
 * True when the request carries `Authorization: Bearer <token>`. Compared as SHA-256 digests
 * with timingSafeEqual, so neither the token's length nor its prefix leaks through timing.
 */
export function hasBearer(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token))
}

/**
 * Bodies are JSON only: a request with a body must say `content-type: application/json`, else 415.
 * A cross-site HTML form can only send form or text types without a preflight, so no page can
 * post to these routes from a browser on the operator's machine.
 */
export const jsonBodiesOnly: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    return c.json(
      {
        code: 'unsupported_media_type',
        message: 'Send the body as JSON with content-type: application/json',
      },
      415,
    )
  }
  return next()
}
