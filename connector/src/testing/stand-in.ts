/**
 * Test support: the local Supabase stand-in on 127.0.0.1:0 over in-memory PGlite with
 * Relevo's migrations and seed, plus a `SupabaseStore` for the connector and an agent client.
 */
import { applyMigrations, type Database, openDatabase } from '@relevo/supabase/db'
import { type ApiKeys, createApiKeys, type StandIn, startStandIn } from '@relevo/supabase/local'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import pino from 'pino'
import { SupabaseStore } from '../store/supabase-store.ts'
import { channelId } from './harness.ts'

export interface TestBackend {
  db: Database
  keys: ApiKeys
  url: string
  store(workerId: string): SupabaseStore
  /** Signed in as the seed agent Ana (or the seed admin). */
  agent(who?: 'ana' | 'admin'): Promise<SupabaseClient>
  service(): SupabaseClient
  /** Takes the API down (the database becomes unreachable for the connector). */
  down(): Promise<void>
  /** Brings it back on the same port. */
  up(): Promise<void>
  close(): Promise<void>
}

export async function startBackend(): Promise<TestBackend> {
  const db = await openDatabase()
  await applyMigrations(db, { seed: true })
  const keys = await createApiKeys()
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  let standIn: StandIn | null = await startStandIn({
    db,
    logger,
    keys,
    port: 0,
    host: '127.0.0.1',
    webhooks: false,
  })
  const url = standIn.url
  const port = Number(new URL(url).port)
  const client = (key: string) =>
    createClient(url, key, { auth: { persistSession: false, autoRefreshToken: false } })
  return {
    db,
    keys,
    url,
    store: (workerId) =>
      new SupabaseStore({
        url,
        serviceRoleKey: keys.serviceRoleKey,
        channelId,
        workerId,
        logger,
        requestTimeoutMs: 5000,
      }),
    async agent(who = 'ana') {
      const supabase = client(keys.anonKey)
      const { error } = await supabase.auth.signInWithPassword({
        email: `${who}@demo.relevo.test`,
        password: 'relevo-demo',
      })
      if (error) throw error
      return supabase
    },
    service: () => client(keys.serviceRoleKey),
    async down() {
      await standIn?.close()
      standIn = null
    },
    async up() {
      standIn = await startStandIn({ db, logger, keys, port, host: '127.0.0.1', webhooks: false })
    },
    async close() {
      await standIn?.close()
      await db.close()
    },
  }
}
