import { afterAll, beforeAll } from 'vitest'
import {
  type Database,
  type DatabaseKind,
  openThrowawayDatabase,
  testDatabaseKinds,
} from '../../src/db/index.ts'

/** One database engine the SQL suites run on; `describe.each(backends)` runs a suite on each. */
export interface Backend {
  kind: DatabaseKind
  /** A fresh database with bootstrap + migrations + seed; `close` drops it. */
  open(): Promise<Database>
}

/** PGlite always; real PostgreSQL too when RELEVO_TEST_PG_URL is set (CI). */
export const backends: Backend[] = testDatabaseKinds.map((kind) => ({
  kind,
  open: () => openThrowawayDatabase(kind, { schema: 'relevo', seed: true }),
}))

/**
 * Opens a fresh database on `backend` before the enclosing suite and drops it after: `use` receives
 * it (and may set up fixtures) so the suite keeps plain variables.
 */
export function useSuiteDatabase(backend: Backend, use: (db: Database) => void | Promise<void>): void {
  let opened: Database | undefined
  beforeAll(async () => {
    opened = await backend.open()
    await use(opened)
  })
  afterAll(async () => {
    await opened?.close()
  })
}
