/**
 * @module
 * Migrations are append-only once written down: `migrations.sha256` records the SHA-256 of each
 * applied file, and `checkMigrationLock` reports any recorded file that changed or disappeared,
 * any file not recorded yet, and any new file that sorts before a recorded one (a database that
 * already ran the later ones would never run it). See docs/decisions/046-migration-baseline.md.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'

export const migrationsDir = new URL('../../migrations/', import.meta.url)
export const lockFile = new URL('../../migrations.sha256', import.meta.url)

/** One line of the lock: `<sha256>  <file>` (the format of `sha256sum`). */
export interface LockEntry {
  file: string
  sha256: string
}

export type LockProblem =
  | { kind: 'changed' | 'missing' | 'unrecorded'; file: string }
  | { kind: 'out_of_order'; file: string; before: string }

export async function hashMigrations(dir: URL = migrationsDir): Promise<LockEntry[]> {
  const files = (await readdir(dir)).filter((file) => /^\d+_.+\.sql$/.test(file)).sort()
  return Promise.all(
    files.map(async (file) => ({
      file,
      sha256: createHash('sha256')
        .update(await readFile(new URL(file, dir)))
        .digest('hex'),
    })),
  )
}

export function parseLock(text: string): LockEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line)
      if (!match) throw new Error(`migrations.sha256: malformed line "${line}" (expected "<sha256>  <file>")`)
      return { sha256: match[1] as string, file: match[2] as string }
    })
}

export function formatLock(entries: LockEntry[]): string {
  return entries.map((entry) => `${entry.sha256}  ${entry.file}\n`).join('')
}

export function checkMigrationLock(recorded: LockEntry[], current: LockEntry[]): LockProblem[] {
  const now = new Map(current.map((entry) => [entry.file, entry.sha256]))
  const locked = new Set(recorded.map((entry) => entry.file))
  const lastLocked =
    recorded
      .map((entry) => entry.file)
      .sort()
      .at(-1) ?? ''
  const problems: LockProblem[] = []
  for (const entry of recorded) {
    const sha = now.get(entry.file)
    if (sha === undefined) problems.push({ kind: 'missing', file: entry.file })
    else if (sha !== entry.sha256) problems.push({ kind: 'changed', file: entry.file })
  }
  for (const { file } of current) {
    if (locked.has(file)) continue
    problems.push(
      file < lastLocked ? { kind: 'out_of_order', file, before: lastLocked } : { kind: 'unrecorded', file },
    )
  }
  return problems
}

export async function readLock(): Promise<LockEntry[]> {
  return parseLock(await readFile(lockFile, 'utf8'))
}
