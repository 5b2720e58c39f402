import { asRole } from '../../local/as-role.ts'
import type { Database, Queryable } from '../../src/db/index.ts'

// Who a test's query runs as: a signed-in user, anon, or the service role, as PostgREST sets them.

/** Runs `fn` as this user, the way PostgREST does for a request with the user's JWT. */
export function asUser<T>(db: Database, userId: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asRole(db, { role: 'authenticated', sub: userId, email: `${userId}@x.test` }, fn)
}

export function asAnon<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asRole(db, { role: 'anon' }, fn)
}

/** The connector and functions: the service role, through the SQL functions. */
export function asService<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asRole(db, { role: 'service_role' }, fn)
}
