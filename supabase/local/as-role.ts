import type { Database, Queryable } from '../src/db/index.ts'
import type { Claims } from './keys.ts'

/**
 * Runs `fn` in one transaction as PostgREST would for a request with these claims:
 * `set local role` to the claim's role and `request.jwt.claims` set, so that RLS,
 * grants and auth.uid() decide exactly as on Supabase. Extra settings (for example
 * `realtime.topic` while a channel join is authorized) are set transaction-locally too.
 */
export function asRole<T>(
  db: Database,
  claims: Claims,
  fn: (tx: Queryable) => Promise<T>,
  settings: Record<string, string> = {},
): Promise<T> {
  return db.transaction(fn, { ...settings, role: claims.role, 'request.jwt.claims': JSON.stringify(claims) })
}
