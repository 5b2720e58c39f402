import { openPglite } from './pglite.ts'
import { openPostgres } from './postgres.ts'
import type { Database } from './types.ts'

export { applyMigrations, type MigrateOptions } from './migrate.ts'
export {
  openThrowawayDatabase,
  type ThrowawayDatabase,
  type ThrowawayOptions,
  testDatabaseKinds,
} from './throwaway.ts'
export type { Database, DatabaseKind, Queryable, QueryResult } from './types.ts'

export interface OpenOptions {
  /** A real Postgres; when absent, the embedded PGlite is used. */
  url?: string | undefined
  /** PGlite's data folder; absent means in memory. */
  dataDir?: string | undefined
}

export function openDatabase(options: OpenOptions = {}): Promise<Database> {
  return options.url ? openPostgres(options.url) : openPglite(options.dataDir)
}
