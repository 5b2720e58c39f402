/**
 * The bench's database: the local stand-in over a fresh database on real Postgres
 * (RELEVO_TEST_PG_URL, or the local Debian cluster) when reachable, else in-memory PGlite.
 */
import { randomBytes } from 'node:crypto'
import { applyMigrations, type Database, openDatabase } from '@relevo/supabase/db'
import { type ApiKeys, createApiKeys, startStandIn } from '@relevo/supabase/local'
import pino from 'pino'

const adminUrl = process.env.RELEVO_TEST_PG_URL ?? 'postgres://relevo_ci:relevo_ci@127.0.0.1:5432/postgres'

export interface BenchBackend {
  kind: 'postgres' | 'pglite'
  url: string
  keys: ApiKeys
  db: Database
  close(): Promise<void>
}

export async function startBenchBackend(): Promise<BenchBackend> {
  let db: Database
  let drop = async () => {}
  let kind: BenchBackend['kind'] = 'postgres'
  try {
    const admin = await openDatabase({ url: adminUrl })
    const name = `relevo_bench_${randomBytes(5).toString('hex')}`
    await admin.query(`create database ${name}`)
    const url = new URL(adminUrl)
    url.pathname = `/${name}`
    db = await openDatabase({ url: url.toString() })
    drop = async () => {
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.close()
    }
  } catch (error) {
    console.warn(`Postgres not reachable (${(error as Error).message}); using PGlite`)
    kind = 'pglite'
    db = await openDatabase()
  }
  await applyMigrations(db, { seed: true })
  const keys = await createApiKeys()
  const standIn = await startStandIn({
    db,
    keys,
    logger: pino({ level: 'silent' }),
    port: 0,
    webhooks: false,
  })
  return {
    kind,
    url: standIn.url,
    keys,
    db,
    async close() {
      await standIn.close()
      await db.close()
      await drop()
    },
  }
}
