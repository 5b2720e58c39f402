import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import pg from 'pg'
import { pino } from 'pino'
import { type Database, openDatabase } from '../../src/db/index.ts'
import { type StandIn, type StandInOptions, startStandIn } from '../index.ts'

/**
 * Test support: a stand-in on 127.0.0.1:0 over a fresh database, PGlite in memory or, when
 * RELEVO_TEST_PG_URL is set (CI), a new `relevo_test_<random>` database on that server that is
 * dropped afterwards. Only Supabase's bootstrap is applied, not Relevo's migrations, so these
 * tests exercise the stand-in on their own small schema, with a stock Supabase project's default
 * grants (Relevo's bootstrap denies by default, ADR 072).
 */
export type Backend = 'pglite' | 'postgres'

const pgUrl = process.env.RELEVO_TEST_PG_URL
export const backends: Backend[] = pgUrl ? ['pglite', 'postgres'] : ['pglite']

export interface TestStandIn {
  standIn: StandIn
  db: Database
  url: string
  /** A supabase-js client with the given key (anon by default); sessions live in memory. */
  client(key?: string): SupabaseClient
  close(): Promise<void>
}

/** What a new Supabase project grants on future objects in public, which Relevo withdraws. */
const STOCK_SUPABASE_GRANTS = `
alter default privileges in schema public grant all on tables to anon, authenticated;
alter default privileges in schema public grant all on functions to anon, authenticated;
alter default privileges in schema public grant all on sequences to anon, authenticated;
`

export async function startTestStandIn(
  backend: Backend,
  setupSql = '',
  options: Partial<StandInOptions> = {},
): Promise<TestStandIn> {
  const { db, drop, serialized } = await openTestDatabase(backend)
  const bootstrap = await readFile(new URL('../../sql/bootstrap.sql', import.meta.url), 'utf8')
  await serialized(() => db.exec(bootstrap + STOCK_SUPABASE_GRANTS))
  if (setupSql) await db.exec(setupSql)
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  const standIn = await startStandIn({ db, logger, port: 0, host: '127.0.0.1', ...options })
  return {
    standIn,
    db,
    url: standIn.url,
    client: (key = standIn.keys.anonKey) =>
      createClient(standIn.url, key, { auth: { persistSession: false, autoRefreshToken: false } }),
    async close() {
      await standIn.close()
      await db.close()
      await drop()
    },
  }
}

interface TestDatabase {
  db: Database
  drop: () => Promise<void>
  /** Runs `fn` while no other test process bootstraps the same server (roles are cluster-wide). */
  serialized: (fn: () => Promise<void>) => Promise<void>
}

// Any constant works; it only has to be the same in every test process.
const BOOTSTRAP_LOCK = 7_347_201

async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite')
    return { db: await openDatabase(), drop: async () => {}, serialized: (fn) => fn() }
  if (!pgUrl) throw new Error('RELEVO_TEST_PG_URL is not set')
  const name = `relevo_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: pgUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(pgUrl)
  url.pathname = `/${name}`
  const db = await openDatabase({ url: url.toString() })
  return {
    db,
    // On a fresh CI server, test files start together and would race to create the same roles.
    async serialized(fn) {
      const lock = new pg.Client({ connectionString: pgUrl })
      await lock.connect()
      try {
        await lock.query('select pg_advisory_lock($1)', [BOOTSTRAP_LOCK])
        await fn()
      } finally {
        await lock.end()
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: pgUrl })
      await client.connect()
      try {
        // pg's pool.end() resolves before its connections have closed; wait for them rather than
        // terminating them with (force), which would surface as errors in the closing clients.
        for (let attempt = 0; ; attempt++) {
          const busy = await client.query('select 1 from pg_stat_activity where datname = $1', [name])
          if (busy.rows.length === 0 || attempt === 50) break
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        await client.query(`drop database if exists ${name} with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}
