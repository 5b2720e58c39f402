import type { Context } from 'hono'
import type { z } from 'zod'
import type { Queryable } from '../../src/db/index.ts'
import type { StandInEnv } from '../context.ts'
import { type ApiKeys, type Claims, claimsFor } from '../keys.ts'
import { AuthApiError, badJwt, notAdmin } from './errors.ts'
import { sessionExists } from './sessions.ts'
import { type UserJson, userById } from './users.ts'

/** GoTrue accepts JSON and form bodies; an empty body is an empty object. */
export async function readAuthBody(c: Context<StandInEnv>): Promise<unknown> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  if ((c.req.header('Content-Type') ?? '').includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new AuthApiError(400, 'bad_json', 'Could not parse request body as JSON', {}, { cause })
  }
}

async function bearerClaims(c: Context<StandInEnv>, keys: ApiKeys): Promise<Claims> {
  try {
    return await claimsFor(c.get('bearer'), keys)
  } catch (error) {
    throw badJwt(error instanceof Error ? error.message : 'invalid token', error)
  }
}

/** The signed-in user behind the bearer token, whose session must still exist (GoTrue's requireAuthentication). */
export async function requireUser(
  c: Context<StandInEnv>,
  db: Queryable,
  keys: ApiKeys,
): Promise<{ user: UserJson; sessionId: string; claims: Claims }> {
  const claims = await bearerClaims(c, keys)
  if (typeof claims.sub !== 'string')
    throw new AuthApiError(403, 'bad_jwt', 'invalid claim: missing sub claim')
  const sessionId = typeof claims.session_id === 'string' ? claims.session_id : ''
  if (!sessionId || !(await sessionExists(db, sessionId))) {
    throw new AuthApiError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist')
  }
  const user = await userById(db, claims.sub)
  if (!user) throw new AuthApiError(403, 'user_not_found', 'User from sub claim in JWT does not exist')
  return { user, sessionId, claims }
}

/** Admin endpoints need the service role (JWT.AdminRoles in GoTrue). */
export async function requireAdmin(c: Context<StandInEnv>, keys: ApiKeys): Promise<void> {
  const claims = await bearerClaims(c, keys)
  if (claims.role !== 'service_role') throw notAdmin()
}

/** Parses with zod; a mismatch is GoTrue's 400 validation_failed. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const message = issue?.path.includes('email')
    ? 'Unable to validate email address: invalid format'
    : `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`
  throw new AuthApiError(400, 'validation_failed', message)
}
