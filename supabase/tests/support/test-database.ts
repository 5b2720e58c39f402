import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { applyMigrations, type Database, type DatabaseKind, openDatabase } from '../../src/db/index.ts'

/** One database engine the SQL suites run on; `describe.each(backends)` runs a suite on each. */
export interface Backend {
  kind: DatabaseKind
  /** A fresh database with bootstrap + migrations + seed; `close` drops it. */
  open(): Promise<Database>
}

const pgliteBackend: Backend = {
  kind: 'pglite',
  async open() {
    const db = await openDatabase()
    await applyMigrations(db, { seed: true })
    return db
  },
}

/**
 * Real PostgreSQL when RELEVO_TEST_PG_URL (a superuser URL) is set: each call creates its
 * own database relevo_t_<random> so that suites never see each other's rows, and drops it
 * on close. Roles (anon, authenticated, …) are cluster-wide; the bootstrap creates them once.
 */
function postgresBackend(adminUrl: string): Backend {
  return {
    kind: 'postgres',
    async open() {
      const name = `relevo_t_${randomBytes(6).toString('hex')}`
      await withAdmin(adminUrl, (client) => client.query(`create database ${name}`))
      const url = new URL(adminUrl)
      url.pathname = `/${name}`
      const db = await openDatabase({ url: url.toString() })
      try {
        await applyMigrations(db, { seed: true })
      } catch (error) {
        await db.close()
        await dropDatabase(adminUrl, name)
        throw error
      }
      return {
        ...db,
        async close() {
          await db.close()
          await dropDatabase(adminUrl, name)
        },
      }
    },
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

function dropDatabase(adminUrl: string, name: string): Promise<unknown> {
  return withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`))
}

const pgUrl = process.env.RELEVO_TEST_PG_URL

/** PGlite always; real PostgreSQL too when RELEVO_TEST_PG_URL is set (CI). */
export const backends: Backend[] = pgUrl ? [pgliteBackend, postgresBackend(pgUrl)] : [pgliteBackend]
