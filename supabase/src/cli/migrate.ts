/**
 * Applies bootstrap + migrations + seed: to DATABASE_URL when set (a real Postgres), else to
 * the local PGlite folder <repo>/.relevo/db that `pnpm dev` uses.
 *   pnpm --filter @relevo/supabase migrate [--no-seed]
 */
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { applyMigrations, openDatabase } from '../db/index.ts'

const localDataDir = fileURLToPath(new URL('../../../.relevo/db', import.meta.url))

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL || undefined
  const seed = !process.argv.includes('--no-seed')
  if (!url) await mkdir(localDataDir, { recursive: true })
  const db = await openDatabase({ url, dataDir: url ? undefined : localDataDir })
  try {
    const applied = await applyMigrations(db, { seed })
    const target = url ? 'DATABASE_URL' : localDataDir
    console.log(
      applied.length > 0
        ? `Applied ${applied.length} migration(s) to ${target}: ${applied.join(', ')}`
        : `${target} is up to date`,
    )
  } finally {
    await db.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
