/**
 * The bench's database: the local stand-in over a throwaway database (bootstrap, migrations and
 * the demo seed) on real Postgres when RELEVO_TEST_PG_URL is set (the bench script defaults it to
 * the local Debian cluster), else in-memory PGlite.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Database, openThrowawayDatabase, testDatabaseKinds } from '@relevo/supabase/db'
import { type ApiKeys, createApiKeys, startStandIn } from '@relevo/supabase/local'
import { freePort } from '@relevo/testing/free-port'
import pino from 'pino'

export interface BenchBackend {
  kind: 'postgres' | 'pglite'
  url: string
  keys: ApiKeys
  db: Database
  close(): Promise<void>
}

export async function startBenchBackend(): Promise<BenchBackend> {
  const kind = testDatabaseKinds.includes('postgres') ? 'postgres' : 'pglite'
  if (kind === 'pglite') console.warn('RELEVO_TEST_PG_URL is not set; the bench runs on PGlite')
  const db = await openThrowawayDatabase(kind, { schema: 'relevo', seed: true })
  // The bench measures the connector, not the incoming-message webhook (functions do not run here).
  await db.query('delete from private.webhook_config')
  const keys = await createApiKeys()
  // On Postgres the stand-in runs in its own process, as in `./relevo dev` and as Supabase does in
  // production, so that it does not share the connector's event loop. PGlite lives in one process.
  const standIn = db.url ? await spawnStandIn(db.url) : await startInProcess(db, keys)
  return {
    kind,
    url: standIn.url,
    keys,
    db,
    async close() {
      await standIn.close()
      await db.close()
    },
  }
}

interface RunningStandIn {
  url: string
  close(): Promise<void>
}

async function startInProcess(db: Database, keys: ApiKeys): Promise<RunningStandIn> {
  return startStandIn({ db, keys, logger: pino({ level: 'silent' }), port: 0, webhooks: false })
}

async function spawnStandIn(databaseUrl: string): Promise<RunningStandIn> {
  const port = await freePort()
  // Its Storage files (the media bench uploads 100 MB) go to a folder removed on close.
  const stateDir = await mkdtemp(join(tmpdir(), 'relevo-bench-state-'))
  const main = fileURLToPath(new URL('../../supabase/local/main.ts', import.meta.url))
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))
  const child = spawn(tsx, [main], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      STAND_IN_PORT: String(port),
      LOG_LEVEL: 'silent',
      RELEVO_STATE_DIR: stateDir,
    },
    stdio: 'ignore',
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the stand-in exited (${child.exitCode}) before it was ready`)
    if (
      await fetch(`${url}/rest/v1/`).then(
        () => true,
        () => false,
      )
    )
      break
    if (Date.now() > deadline) throw new Error('the stand-in was not ready after 60 s')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return {
    url,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      await rm(stateDir, { recursive: true, force: true })
    },
  }
}
