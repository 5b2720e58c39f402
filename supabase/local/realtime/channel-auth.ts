import type { Database, Queryable } from '../../src/db/index.ts'
import type { Claims } from '../keys.ts'

/**
 * Private-channel authorization the way Supabase Realtime does it (supabase/realtime
 * lib/realtime/tenants/authorization.ex): read access is probed by inserting one row per
 * extension into realtime.messages as the owner, then selecting them back as the user with
 * `realtime.topic` set; write access by inserting as the user. Everything is rolled back, so
 * the user's own policies on realtime.messages decide and nothing is left behind.
 */
export interface ReadAccess {
  broadcast: boolean
  presence: boolean
}

export type Extension = 'broadcast' | 'presence'

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback')
  }
}

/** Runs `fn` in a transaction that is always rolled back, and returns what `fn` returned. */
export async function rolledBack<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  try {
    await db.transaction(async (tx) => {
      throw new Rollback(await fn(tx))
    })
  } catch (error) {
    if (error instanceof Rollback) return error.value as T
    throw error
  }
  throw new Error('unreachable: the probe transaction always rolls back')
}

/** Sets what Supabase sets before a policy check: role, claims, and the channel topic. */
export async function becomeUser(
  tx: Queryable,
  claims: Claims,
  settings: Record<string, string> = {},
): Promise<void> {
  const entries: [string, string][] = [
    ['role', claims.role],
    ['request.jwt.claims', JSON.stringify(claims)],
    ['request.jwt.claim.role', claims.role],
    ['request.jwt.claim.sub', typeof claims.sub === 'string' ? claims.sub : ''],
    ...Object.entries(settings),
  ]
  await tx.query(
    'select set_config(name, value, true) from unnest($1::text[], $2::text[]) as s(name, value)',
    [entries.map(([name]) => name), entries.map(([, value]) => value)],
  )
}

export function readAccess(db: Database, claims: Claims, subTopic: string): Promise<ReadAccess> {
  if (claims.role === 'service_role') return Promise.resolve({ broadcast: true, presence: true })
  return rolledBack(db, async (tx) => {
    const probes = await tx.query<{ id: string; extension: Extension }>(
      `insert into realtime.messages (topic, extension, private)
       select $1, extension, true from unnest(array['broadcast', 'presence']) as extension
       returning id::text, extension`,
      [subTopic],
    )
    await becomeUser(tx, claims, { 'realtime.topic': subTopic })
    const seen = await tx
      .query<{ id: string }>('select id::text from realtime.messages where id = any($1::bigint[])', [
        probes.rows.map((row) => row.id),
      ])
      .then((result) => new Set(result.rows.map((row) => row.id)))
      // No grant on realtime.messages (anon) means no access, not an error.
      .catch(() => new Set<string>())
    const allowed = (extension: Extension) =>
      probes.rows.some((row) => row.extension === extension && seen.has(row.id))
    return { broadcast: allowed('broadcast'), presence: allowed('presence') }
  })
}

export function writeAccess(
  db: Database,
  claims: Claims,
  subTopic: string,
  extension: Extension,
): Promise<boolean> {
  if (claims.role === 'service_role') return Promise.resolve(true)
  return rolledBack(db, async (tx) => {
    await becomeUser(tx, claims, { 'realtime.topic': subTopic })
    return tx
      .query('insert into realtime.messages (topic, extension, private) values ($1, $2, true)', [
        subTopic,
        extension,
      ])
      .then(() => true)
      .catch(() => false)
  })
}
