import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Database } from './types.ts'

const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const bootstrapFile = `${packageRoot}sql/bootstrap.sql`
const migrationsDir = `${packageRoot}migrations/`
const seedFile = `${packageRoot}seed.sql`

export interface MigrateOptions {
  /** Also load `seed.sql` (demo tenant, channel and admin) when it was not loaded before. */
  seed?: boolean
}

/**
 * Brings a plain Postgres (PGlite or real) to the state a Supabase project has after
 * `supabase db push`: the bootstrap that stands in for what Supabase provides, then every
 * migration not applied yet, recorded where the Supabase CLI records them.
 * Returns the versions applied by this call.
 */
export async function applyMigrations(db: Database, options: MigrateOptions = {}): Promise<string[]> {
  await db.exec(await readFile(bootstrapFile, 'utf8'))
  const applied = new Set(
    (
      await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')
    ).rows.map((row) => row.version),
  )
  const files = (await readdir(migrationsDir)).filter((file) => /^\d+_.+\.sql$/.test(file)).sort()
  const newlyApplied: string[] = []
  for (const file of files) {
    const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_')
    if (applied.has(version)) continue
    const script = await readFile(migrationsDir + file, 'utf8')
    await db
      .transaction(async (tx) => {
        await tx.exec(script)
        await tx.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
          version,
          rest.join('_'),
        ])
      })
      .catch((cause: unknown) => {
        throw new Error(`Migration ${file} failed: fix the SQL and run the migration again`, { cause })
      })
    newlyApplied.push(version)
  }
  if (options.seed) await applySeed(db)
  return newlyApplied
}

async function applySeed(db: Database): Promise<void> {
  const seeded = await db.query("select 1 from supabase_migrations.schema_migrations where version = 'seed'")
  if (seeded.rows.length > 0) return
  const script = await readFile(seedFile, 'utf8')
  await db.transaction(async (tx) => {
    await tx.exec(script)
    await tx.query(
      "insert into supabase_migrations.schema_migrations (version, name) values ('seed', 'seed.sql')",
    )
  })
}
