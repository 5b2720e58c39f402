import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { pino } from 'pino'
import {
  type Database,
  type DatabaseKind,
  openThrowawayDatabase,
  testDatabaseKinds,
} from '../../src/db/index.ts'
import { type StandIn, type StandInOptions, startStandIn } from '../index.ts'

/**
 * Test support: a stand-in on 127.0.0.1:0 over a fresh database, PGlite in memory or, when
 * RELEVO_TEST_PG_URL is set (CI), a new database on that server that is dropped afterwards
 * (`openThrowawayDatabase`). Only Supabase's bootstrap is applied, not Relevo's migrations, so these
 * tests exercise the stand-in on their own small schema, with a stock Supabase project's default
 * grants (Relevo's bootstrap denies by default, ADR 072).
 */
export type Backend = DatabaseKind
export const backends: Backend[] = testDatabaseKinds

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
  const db = await openThrowawayDatabase(backend, { schema: 'bootstrap' })
  await db.exec(STOCK_SUPABASE_GRANTS)
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
    },
  }
}
