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
 * The suite's own fresh database on `backend`: opened before its first hook or test and dropped
 * after its last. The handle is usable at once (it forwards to the database once open), so a suite
 * declares `const db = suiteDatabase(backend)` and keeps its own set-up hooks.
 */
export function suiteDatabase(backend: Backend): Database {
  let opened: Database | undefined
  beforeAll(async () => {
    opened = await backend.open()
  })
  afterAll(async () => {
    await opened?.close()
  })
  const open = (): Database => {
    if (!opened) throw new Error('The suite database opens in beforeAll: use it inside a hook or a test.')
    return opened
  }
  return {
    kind: backend.kind,
    query: (text, params) => open().query(text, params),
    exec: (script) => open().exec(script),
    transaction: (fn, settings) => open().transaction(fn, settings),
    listen: (channel, onPayload) => open().listen(channel, onPayload),
    close: () => open().close(),
  }
}
