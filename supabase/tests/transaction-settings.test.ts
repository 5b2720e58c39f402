import { describe, expect, it } from 'vitest'
import { backends, suiteDatabase } from './support/test-database.ts'

// Every stand-in request runs in a transaction whose role and JWT claims are set as it begins
// (on Postgres, in the same round trip as BEGIN, with the values quoted into the script).

const awkward = `{"sub":"o'brien","note":"back\\\\slash; select 1; -- ñ 🙂"}`

describe.each(backends)('transaction settings on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('are in force from the first statement, with values kept byte for byte', async () => {
    const seen = await db.transaction(
      async (tx) =>
        (
          await tx.query<{ who: string; claims: string }>(
            `select current_user as who, current_setting('request.jwt.claims') as claims`,
          )
        ).rows[0],
      { role: 'authenticated', 'request.jwt.claims': awkward },
    )
    expect(seen).toEqual({ who: 'authenticated', claims: awkward })
  })

  it('end with the transaction, committed or rolled back', async () => {
    await db.transaction(async () => {}, { 'request.jwt.claims': awkward })
    await expect(
      db.transaction(
        async (tx) => {
          await tx.query('select 1/0')
        },
        { role: 'anon' },
      ),
    ).rejects.toThrow(/division by zero/)
    const after = await db.query<{ who: string; claims: string | null }>(
      `select current_user as who, nullif(current_setting('request.jwt.claims', true), '') as claims`,
    )
    expect(after.rows[0]?.claims).toBeNull()
    expect(after.rows[0]?.who).not.toBe('anon')
  })
})
