import { type ApiKeys, type Claims, claimsFor, InvalidTokenError } from '../keys.ts'

export class JoinTokenError extends Error {
  readonly code = 'InvalidJWTToken'
}

/**
 * Verifies a channel token as Supabase Realtime does: `sb_` keys map to their role; a JWT must
 * verify and carry integer `exp` and a `role` (wire §1.5). Messages follow the real server's.
 */
export async function verifyChannelToken(token: string, keys: ApiKeys): Promise<Claims> {
  let claims: Claims
  try {
    claims = await claimsFor(token, keys)
  } catch (error) {
    if (error instanceof InvalidTokenError && error.code === 'PGRST303') {
      throw new JoinTokenError(`Token has expired ${expiredSecondsAgo(token)} seconds ago`, { cause: error })
    }
    throw new JoinTokenError('Invalid JWT Token', { cause: error })
  }
  if (token.startsWith('sb_')) return claims
  if (!Number.isInteger(claims.exp)) throw new JoinTokenError('Fields `role` and `exp` are required in JWT')
  return claims
}

function expiredSecondsAgo(token: string): number {
  try {
    const body = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown
    }
    return typeof body.exp === 'number' ? Math.max(0, Math.floor(Date.now() / 1000 - body.exp)) : 0
  } catch {
    return 0
  }
}

/** Milliseconds until the claims expire, or null when they never do (sb_ keys) or too far to time. */
export function msUntilExpiry(claims: Claims): number | null {
  if (typeof claims.exp !== 'number') return null
  const ms = claims.exp * 1000 - Date.now()
  return ms > 2 ** 31 - 1 ? null : Math.max(0, ms)
}
