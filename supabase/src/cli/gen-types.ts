/**
 * Generates supabase/types/database.ts from the migrations: applies them to an in-memory
 * PGlite and reads pg_catalog, so no server or Docker is needed. `--check` compares with
 * the committed file instead of writing it (CI runs it from the `typecheck` script).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { applyMigrations, openDatabase, type Queryable } from '../db/index.ts'
import { introspectSchema } from './gen-types/introspect.ts'
import { renderTypes } from './gen-types/render.ts'

const outputFile = fileURLToPath(new URL('../../types/database.ts', import.meta.url))
// The schemas PostgREST exposes (config.toml api.schemas); private stays out of the API and the types.
const exposedSchemas = ['public']
const postgrestVersion = '12'

/** Types of an already migrated database (PGlite or Postgres give the same file). */
export async function renderDatabaseTypes(db: Queryable): Promise<string> {
  const models = []
  for (const schema of exposedSchemas) models.push(await introspectSchema(db, schema))
  return renderTypes(models, postgrestVersion)
}

export async function generateTypes(): Promise<string> {
  const db = await openDatabase()
  try {
    await applyMigrations(db)
    return await renderDatabaseTypes(db)
  } finally {
    await db.close()
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check')
  const generated = await generateTypes()
  if (!check) {
    await writeFile(outputFile, generated)
    console.log(`Wrote ${outputFile}`)
    return
  }
  const committed = await readFile(outputFile, 'utf8').catch(() => '')
  if (committed !== generated) {
    console.error(
      `supabase/types/database.ts is stale: it does not match the migrations.\n` +
        `Run \`pnpm --filter @relevo/supabase gen:types\` and commit the result.`,
    )
    process.exitCode = 1
    return
  }
  console.log('supabase/types/database.ts matches the migrations')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
