/**
 * @module
 * Throwaway databases for tests and benchmarks, the one helper every suite uses: in-memory
 * PGlite, or a new database `relevo_t_<random>` on the PostgreSQL server in RELEVO_TEST_PG_URL
 * (a superuser URL, as CI sets it), dropped again on `close`.
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import pg from 'pg'
import { applyMigrations } from './migrate.ts'
import { openPglite } from './pglite.ts'
import { openPostgres } from './postgres.ts'
import type { Database, DatabaseKind } from './types.ts'

const adminUrl = process.env.RELEVO_TEST_PG_URL || undefined

/** PGlite always; real PostgreSQL too when RELEVO_TEST_PG_URL is set. */
export const testDatabaseKinds: DatabaseKind[] = adminUrl ? ['pglite', 'postgres'] : ['pglite']

export interface ThrowawayOptions {
  /**
   * What to load: `relevo` = bootstrap + Relevo's migrations (+ seed when `seed`), `bootstrap` =
   * only what Supabase provides (for suites with their own small schema), `none` = empty.
   */
  schema: 'relevo' | 'bootstrap' | 'none'
  seed?: boolean
}

const bootstrapFile = new URL('../../sql/bootstrap.sql', import.meta.url)
// Any constant works; it only has to be the same in every test process.
const SETUP_LOCK = 7_347_201

/** A throwaway database; `url` is its connection URL on PostgreSQL (null for in-memory PGlite). */
export type ThrowawayDatabase = Database & { url: string | null }

export async function openThrowawayDatabase(
  kind: DatabaseKind,
  options: ThrowawayOptions,
): Promise<ThrowawayDatabase> {
  if (kind === 'pglite') {
    const db = await openPglite()
    await load(db, options)
    return { ...db, url: null }
  }
  if (!adminUrl)
    throw new Error('RELEVO_TEST_PG_URL is not set: a postgres test database needs a superuser URL')
  const name = `relevo_t_${randomBytes(6).toString('hex')}`
  await withAdmin((client) => client.query(`create database ${name}`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = await openPostgres(url.toString())
  const drop = async () => {
    await db.close()
    await dropWhenIdle(name)
  }
  try {
    // Roles are cluster-wide: on a fresh server, test files starting together would race to
    // create them, so setups on one server take turns.
    await withAdmin(async (client) => {
      await client.query('select pg_advisory_lock($1)', [SETUP_LOCK])
      await load(db, options)
    })
  } catch (error) {
    await drop()
    throw error
  }
  return { ...db, url: url.toString(), close: drop }
}

async function load(db: Database, options: ThrowawayOptions): Promise<void> {
  if (options.schema === 'relevo') await applyMigrations(db, { seed: options.seed ?? false })
  else if (options.schema === 'bootstrap') await db.exec(await readFile(bootstrapFile, 'utf8'))
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * pg's pool.end() resolves before its sockets have closed; dropping `with (force)` at once would
 * kill them mid-close and surface as 57P01 errors in the closing clients, so wait for them first.
 */
function dropWhenIdle(name: string): Promise<unknown> {
  return withAdmin(async (client) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const busy = await client.query('select 1 from pg_stat_activity where datname = $1', [name])
      if (busy.rows.length === 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await client.query(`drop database if exists ${name} with (force)`)
  })
}
