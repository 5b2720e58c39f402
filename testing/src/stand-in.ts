/**
 * @module
 * The local Supabase stand-in over a fresh in-memory PGlite with Relevo's migrations and the
 * demo seed, on 127.0.0.1:0: what the connector's, the functions' and the dashboard's tests
 * run against. It can be taken down and brought back on the same port (the database and the
 * Storage files stay).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyMigrations, type Database, openDatabase, openThrowawayDatabase } from '@relevo/supabase/db'
import { type ApiKeys, createApiKeys, type StandIn, startStandIn } from '@relevo/supabase/local'
import type { Database as Schema } from '@relevo/supabase/types'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { pino } from 'pino'
import { DEMO_PASSWORD } from './demo-seed.ts'

export interface SeededStandIn {
  db: Database
  keys: ApiKeys
  url: string
  /** The folder where its /storage/v1 keeps object bytes (deleted on close). */
  storageDir: string
  /** The running stand-in (null while it is down). */
  standIn(): StandIn | null
  /** A supabase-js client with `key` (anon by default); its session lives in memory. */
  client(key?: string): SupabaseClient<Schema>
  service(): SupabaseClient<Schema>
  /** A client signed in as a seeded user (`ana`, `admin`, or a whole email). */
  signIn(who: string): Promise<SupabaseClient<Schema>>
  /** Takes the API down (the database becomes unreachable for its clients). */
  down(): Promise<void>
  /** Brings it back on the same port. */
  up(): Promise<void>
  close(): Promise<void>
}

export interface SeededStandInOptions {
  /** Deliver database webhooks (off unless a test runs the functions to receive them). */
  webhooks?: boolean
  /**
   * Run on a throwaway database of the PostgreSQL at RELEVO_TEST_PG_URL instead of PGlite (benchmarks
   * whose figure PGlite's single connection would set); dropped on close.
   */
  postgres?: boolean
}

export async function startSeededStandIn(options: SeededStandInOptions = {}): Promise<SeededStandIn> {
  const db = options.postgres
    ? await openThrowawayDatabase('postgres', { schema: 'relevo', seed: true })
    : await openDatabase()
  if (!options.postgres) await applyMigrations(db, { seed: true })
  const keys = await createApiKeys()
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  const storageDir = await mkdtemp(join(tmpdir(), 'relevo-stand-in-storage-'))
  const start = (port: number) =>
    startStandIn({
      db,
      logger,
      keys,
      port,
      host: '127.0.0.1',
      webhooks: options.webhooks ?? false,
      storageDir,
    })
  let running: StandIn | null = await start(0)
  const url = running.url
  const client = (key = keys.anonKey) =>
    createClient<Schema>(url, key, { auth: { persistSession: false, autoRefreshToken: false } })
  return {
    db,
    keys,
    url,
    storageDir,
    standIn: () => running,
    client,
    service: () => client(keys.serviceRoleKey),
    async signIn(who) {
      const supabase = client()
      const email = who.includes('@') ? who : `${who}@demo.relevo.test`
      const { error } = await supabase.auth.signInWithPassword({ email, password: DEMO_PASSWORD })
      if (error) throw error
      return supabase
    },
    async down() {
      await running?.close()
      running = null
    },
    async up() {
      running = await start(Number(new URL(url).port))
    },
    async close() {
      await running?.close()
      await db.close()
      await rm(storageDir, { recursive: true, force: true })
    },
  }
}
