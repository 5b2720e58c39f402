/**
 * `pnpm --filter @relevo/supabase dev`: the local Supabase stand-in on 127.0.0.1:54321.
 * Migrates and seeds the database (embedded PGlite in `<repo>/.relevo/db`, or DATABASE_URL),
 * serves REST, Auth, Realtime, Storage (files in `<state>/storage`) and database webhooks, and prints URL and keys like `supabase status`.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { z } from 'zod'
import { applyMigrations, type Database, openDatabase } from '../src/db/index.ts'
import { GOTRUE_TOKEN_RATE_LIMIT } from './auth/rate-limit.ts'
import {
  type ApiKeys,
  createApiKeys,
  DEFAULT_STORAGE_FILE_SIZE_LIMIT,
  type StandInOptions,
  startStandIn,
} from './index.ts'

const DEMO_ADMIN = { email: 'admin@demo.relevo.test', password: 'relevo-demo' }
const out = (line = '') => process.stdout.write(`${line}\n`)

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' })
  const port = Number(process.env.STAND_IN_PORT ?? 54321)
  const host = process.env.STAND_IN_HOST ?? '127.0.0.1'
  // RELEVO_STATE_DIR moves all local state (tests use a fresh folder); <repo>/.relevo by default.
  const stateDir = process.env.RELEVO_STATE_DIR ?? fileURLToPath(new URL('../../.relevo', import.meta.url))
  const dataDir = join(stateDir, 'db')
  const url = process.env.DATABASE_URL
  if (!url) await mkdir(dataDir, { recursive: true })
  const db = await openDatabase({ url, dataDir })
  await applyMigrations(db, { seed: true })
  await allowPrivateUrls(db, process.env.RELEVO_ALLOW_PRIVATE_URLS === '1')
  const { signup, ...settings } = settingsFromEnv()
  // The deployment's sign-up mode lives in the database, where create_tenant enforces it (ADR 110).
  await db.query('update private.deployment_settings set signup = $1, updated_at = now()', [signup])
  const keys = await createApiKeys(process.env.JWT_SECRET || undefined)
  const standIn = await startStandIn({
    db,
    logger,
    port,
    host,
    keys,
    accessTokenTtlSeconds: Number(process.env.JWT_EXPIRY ?? 3600),
    storageDir: join(stateDir, 'storage'),
    ...settings,
  }).catch(async (error: unknown) => {
    await db.close()
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(
        `Port ${port} on ${host} is taken: another stand-in or \`supabase start\` is running. ` +
          'Stop it, or set STAND_IN_PORT to another port.',
      )
    }
    throw error
  })
  const seeded = await db.query('select 1 from auth.users where email = $1', [DEMO_ADMIN.email])
  printStatus(standIn.url, keys, url ? 'DATABASE_URL' : `embedded PGlite in ${dataDir}`)
  if (seeded.rows.length > 0) out(`      Demo admin: ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`)
  out()

  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping the stand-in')
    await standIn.close()
    await db.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
}

/**
 * The database side of RELEVO_ALLOW_PRIVATE_URLS=1 (ADR 073): a private deployment may save
 * loopback and private URLs (the AI coordinator, webhook endpoints). Set for the database, so new
 * sessions get it, and for this one (PGlite has only this one); reset when the variable is unset.
 */
async function allowPrivateUrls(db: Database, allow: boolean): Promise<void> {
  const change = allow
    ? `format('alter database %I set relevo.allow_private_urls = %L', current_database(), 'on')`
    : `format('alter database %I reset relevo.allow_private_urls', current_database())`
  await db.query(`do $$ begin execute ${change}; end $$`)
  await db.query(`select set_config('relevo.allow_private_urls', $1, false)`, [allow ? 'on' : ''])
}

const envSettings = z.object({
  STAND_IN_DB_TX_END: z.enum(['commit', 'commit-allow-override']).default('commit'),
  STAND_IN_TOKEN_RATE_LIMIT: z.coerce.number().int().min(0).default(GOTRUE_TOKEN_RATE_LIMIT.perFiveMinutes),
  STAND_IN_STORAGE_FILE_SIZE_LIMIT: z.coerce.number().int().min(1).default(DEFAULT_STORAGE_FILE_SIZE_LIMIT),
  STAND_IN_CONFIRM_EMAIL: z.enum(['0', '1']).default('0'),
  RELEVO_SIGNUP: z.enum(['open', 'invite-only']).default('open'),
})

type Settings = Required<
  Pick<StandInOptions, 'txEnd' | 'tokenRateLimit' | 'confirmEmail' | 'storageFileSizeLimit'>
> & {
  signup: 'open' | 'invite-only'
}

// PostgREST's db-tx-end, GoTrue's token rate limit and email confirmation, Storage's file size
// limit and Relevo's sign-up mode; a bad value stops the start with zod's message.
function settingsFromEnv(): Settings {
  const parsed = envSettings.safeParse(process.env)
  if (!parsed.success)
    throw new Error(
      `Invalid stand-in setting: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    )
  return {
    txEnd: parsed.data.STAND_IN_DB_TX_END,
    tokenRateLimit: {
      perFiveMinutes: parsed.data.STAND_IN_TOKEN_RATE_LIMIT,
      burst: GOTRUE_TOKEN_RATE_LIMIT.burst,
    },
    storageFileSizeLimit: parsed.data.STAND_IN_STORAGE_FILE_SIZE_LIMIT,
    confirmEmail: parsed.data.STAND_IN_CONFIRM_EMAIL === '1',
    signup: parsed.data.RELEVO_SIGNUP,
  }
}

// Same labels as `supabase status`, so instructions written for the CLI read the same here.
function printStatus(apiUrl: string, keys: ApiKeys, database: string): void {
  out()
  out('Relevo local Supabase stand-in is running.')
  out()
  out(`         API URL: ${apiUrl}`)
  out(`        REST URL: ${apiUrl}/rest/v1`)
  out(`        Auth URL: ${apiUrl}/auth/v1`)
  out(`     Storage URL: ${apiUrl}/storage/v1`)
  out(`    Realtime URL: ${apiUrl.replace(/^http/, 'ws')}/realtime/v1`)
  out(`        Database: ${database}`)
  out(`      JWT secret: ${keys.jwtSecret}`)
  out(`        anon key: ${keys.anonKey}`)
  out(`service_role key: ${keys.serviceRoleKey}`)
  out(` Publishable key: ${keys.publishableKey}`)
  out(`      Secret key: ${keys.secretKey}`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  if (error instanceof Error && error.cause) process.stderr.write(`  cause: ${String(error.cause)}\n`)
  process.exit(1)
})
