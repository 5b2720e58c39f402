import { randomBytes } from 'node:crypto'
import type { Database, Queryable } from '../../src/db/index.ts'
import { type ApiKeys, type ApiRole, signAccessToken } from '../keys.ts'
import { AuthApiError } from './errors.ts'
import { type UserJson, userById } from './users.ts'

/**
 * Sessions and tokens as GoTrue issues them: an HS256 access token with Supabase's claims (role,
 * email, aal, amr, session_id, is_anonymous, …) and an opaque refresh token that is rotated on
 * every use. Using a rotated token again is treated as theft: the whole session is revoked, as
 * GoTrue's reuse detection does.
 */
export interface TokenSettings {
  keys: ApiKeys
  issuer: string
  ttlSeconds: number
}

export interface SessionJson {
  access_token: string
  token_type: 'bearer'
  expires_in: number
  expires_at: number
  refresh_token: string
  user: UserJson
}

export async function startSession(
  db: Database,
  userId: string,
  settings: TokenSettings,
): Promise<SessionJson> {
  const { sessionId, refreshToken } = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      'insert into auth.sessions (user_id) values ($1) returning id',
      [userId],
    )
    const sessionId = rows[0]?.id as string
    await tx.query('update auth.users set last_sign_in_at = now() where id = $1', [userId])
    return { sessionId, refreshToken: await newRefreshToken(tx, userId, sessionId, null) }
  })
  return sessionJson(db, userId, sessionId, refreshToken, settings)
}

type Rotation =
  | { ok: true; userId: string; sessionId: string; token: string }
  | { ok: false; error: AuthApiError }

export async function refreshSession(
  db: Database,
  token: string,
  settings: TokenSettings,
): Promise<SessionJson> {
  // The revocation after a reuse must commit, so the error is thrown after the transaction.
  const rotation = await db.transaction(async (tx): Promise<Rotation> => {
    const { rows } = await tx.query<{ revoked: boolean; user_id: string; session_id: string }>(
      'select revoked, user_id, session_id from auth.refresh_tokens where token = $1 for update',
      [token],
    )
    const row = rows[0]
    if (!row?.session_id) {
      return {
        ok: false,
        error: new AuthApiError(
          400,
          'refresh_token_not_found',
          'Invalid Refresh Token: Refresh Token Not Found',
        ),
      }
    }
    if (row.revoked) {
      await tx.query('delete from auth.sessions where id = $1', [row.session_id])
      return {
        ok: false,
        error: new AuthApiError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used'),
      }
    }
    await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where token = $1', [
      token,
    ])
    await tx.query('update auth.sessions set updated_at = now() where id = $1', [row.session_id])
    const next = await newRefreshToken(tx, row.user_id, row.session_id, token)
    return { ok: true, userId: row.user_id, sessionId: row.session_id, token: next }
  })
  if (!rotation.ok) throw rotation.error
  return sessionJson(db, rotation.userId, rotation.sessionId, rotation.token, settings)
}

export async function sessionExists(db: Queryable, sessionId: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return false
  const { rows } = await db.query('select 1 from auth.sessions where id = $1', [sessionId])
  return rows.length > 0
}

/** `scope`: global ends every session of the user, local only this one, others all but this one. */
export async function endSessions(
  db: Queryable,
  userId: string,
  sessionId: string,
  scope: string,
): Promise<void> {
  if (scope === 'local') await db.query('delete from auth.sessions where id = $1', [sessionId])
  else if (scope === 'others')
    await db.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId])
  else await db.query('delete from auth.sessions where user_id = $1', [userId])
}

async function newRefreshToken(
  tx: Queryable,
  userId: string,
  sessionId: string,
  parent: string | null,
): Promise<string> {
  const token = randomBytes(16).toString('base64url')
  await tx.query(
    'insert into auth.refresh_tokens (token, user_id, session_id, parent) values ($1, $2, $3, $4)',
    [token, userId, sessionId, parent],
  )
  return token
}

async function sessionJson(
  db: Queryable,
  userId: string,
  sessionId: string,
  refreshToken: string,
  settings: TokenSettings,
): Promise<SessionJson> {
  const user = await userById(db, userId)
  if (!user) throw new AuthApiError(403, 'user_not_found', 'User from sub claim in JWT does not exist')
  const now = Math.floor(Date.now() / 1000)
  const exp = now + settings.ttlSeconds
  const accessToken = await signAccessToken(
    {
      iss: settings.issuer,
      sub: user.id,
      aud: 'authenticated',
      exp,
      iat: now,
      email: user.email,
      phone: user.phone,
      app_metadata: user.app_metadata,
      user_metadata: user.user_metadata,
      role: user.role as ApiRole,
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: now }],
      session_id: sessionId,
      is_anonymous: user.is_anonymous,
    },
    settings.keys,
  )
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: settings.ttlSeconds,
    expires_at: exp,
    refresh_token: refreshToken,
    user,
  }
}
