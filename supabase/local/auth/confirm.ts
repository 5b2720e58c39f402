/**
 * @module
 * Email confirmation for projects that require it (GoTrue's MAILER_AUTOCONFIRM=false). The stand-in
 * has no mailer: the confirmation link is written to its log, where a developer or a test picks it
 * up. Opening it confirms the address and redirects to `redirect_to`; unlike GoTrue it starts no
 * session there, so the person signs in afterwards (the dashboard asks them to).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Queryable } from '../../src/db/index.ts'
import { AuthApiError } from './errors.ts'

const hash = (token: string) => createHash('sha256').update(token).digest('hex')

/** Stores a one-time token for the user's address and returns it (the stored form is hashed). */
export async function issueConfirmation(db: Queryable, userId: string): Promise<string> {
  const token = randomBytes(24).toString('hex')
  await db.query('update auth.users set confirmation_token = $2 where id = $1', [userId, hash(token)])
  return token
}

/** Confirms the address the token was issued for; an unknown or used token is GoTrue's 403 otp_expired. */
export async function confirmWithToken(db: Queryable, token: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()), confirmation_token = '',
       updated_at = now()
     where confirmation_token = $1 and $1 <> '' returning id`,
    [hash(token)],
  )
  const id = rows[0]?.id
  if (!id) throw new AuthApiError(403, 'otp_expired', 'Email link is invalid or has expired')
  return id
}
