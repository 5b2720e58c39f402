/**
 * Records new migration files in supabase/migrations.sha256, and refuses when a recorded file
 * changed: an applied migration is never edited, a change is a new migration.
 *   pnpm --filter @relevo/supabase migrations:lock
 */
import { writeFile } from 'node:fs/promises'
import { checkMigrationLock, formatLock, hashMigrations, lockFile, readLock } from '../db/migration-lock.ts'

async function main(): Promise<void> {
  const recorded = await readLock()
  const current = await hashMigrations()
  const problems = checkMigrationLock(recorded, current)
  const blocking = problems.filter((problem) => problem.kind !== 'unrecorded')
  if (blocking.length > 0) {
    for (const problem of blocking) console.error(`${problem.kind}: ${problem.file}`)
    console.error('Recorded migrations never change: undo the edit and write a new migration instead.')
    process.exit(1)
  }
  const added = problems.map((problem) => problem.file)
  const byFile = new Map(current.map((entry) => [entry.file, entry]))
  const next = [...recorded, ...added.map((file) => byFile.get(file)).filter((entry) => entry !== undefined)]
  await writeFile(lockFile, formatLock(next))
  console.log(added.length > 0 ? `Recorded ${added.join(', ')}` : 'migrations.sha256 is up to date')
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
