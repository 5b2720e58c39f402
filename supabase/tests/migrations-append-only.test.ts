import { describe, expect, it } from 'vitest'
import {
  checkMigrationLock,
  hashMigrations,
  type LockEntry,
  parseLock,
  readLock,
} from '../src/db/migration-lock.ts'

const entry = (file: string, sha = 'a'.repeat(64)): LockEntry => ({ file, sha256: sha })

describe('migrations are append-only', () => {
  it('every migration file is recorded in migrations.sha256 and none changed since', async () => {
    const problems = checkMigrationLock(await readLock(), await hashMigrations())
    // A failure here means an applied migration was edited (write a new one instead), or a new
    // one is not recorded yet (`pnpm --filter @relevo/supabase migrations:lock`).
    expect(problems).toEqual([])
  })

  it('reports an edited, a deleted, an unrecorded and an out-of-order file', () => {
    const recorded = [entry('0002_b.sql'), entry('0003_c.sql'), entry('0005_e.sql')]
    const current = [
      entry('0001_a.sql'),
      entry('0002_b.sql', 'b'.repeat(64)),
      entry('0005_e.sql'),
      entry('0006_f.sql'),
    ]
    expect(checkMigrationLock(recorded, current)).toEqual([
      { kind: 'changed', file: '0002_b.sql' },
      { kind: 'missing', file: '0003_c.sql' },
      { kind: 'out_of_order', file: '0001_a.sql', before: '0005_e.sql' },
      { kind: 'unrecorded', file: '0006_f.sql' },
    ])
  })

  it('refuses a malformed lock line with the expected format', () => {
    expect(() => parseLock('not-a-hash  0001_a.sql\n')).toThrow(/expected "<sha256> {2}<file>"/)
  })
})
