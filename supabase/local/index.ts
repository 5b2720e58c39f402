/**
 * @module
 * The local Supabase stand-in: `/rest/v1`, `/auth/v1`, `/realtime/v1`, `/storage/v1` and database webhooks on
 * one port, speaking Supabase's wire formats for the unmodified supabase-js client.
 * See README.md beside this file.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Database } from '../src/db/index.ts'
import { GOTRUE_TOKEN_RATE_LIMIT, type TokenRateLimit } from './auth/rate-limit.ts'
import { type ApiKeys, createApiKeys, DEMO_JWT_SECRET } from './keys.ts'
import { createRealtime } from './realtime/index.ts'
import type { TxEnd } from './rest/prefer.ts'
import { SchemaCache } from './rest/schema-cache.ts'
import { createHttpServer } from './server.ts'
import { FileStore } from './storage/files.ts'
import { type RetryPolicy, startWebhookDispatcher, type WebhookDispatcher } from './webhooks/dispatcher.ts'

export { type ApiKeys, createApiKeys } from './keys.ts'

/** 127.0.0.0/8, ::1 and `localhost`: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

export interface StandInOptions {
  db: Database
  logger: Logger
  /** 54321 like the Supabase CLI; 0 picks a free port (tests). */
  port?: number
  host?: string
  keys?: ApiKeys
  /** Access-token lifetime; GoTrue's default is one hour. */
  accessTokenTtlSeconds?: number
  maxBodyBytes?: number
  /** Deliver database webhooks (on by default). */
  webhooks?: boolean
  /** How failed webhook deliveries are retried; see webhooks/dispatcher.ts for the default. */
  webhookRetry?: RetryPolicy
  /** PostgREST's db-max-rows; Supabase's default is 1000. */
  maxRows?: number
  /** PostgREST's db-tx-end: `commit` (Supabase's) refuses `Prefer: tx=rollback`; the override applies it. */
  txEnd?: TxEnd
  /** Password sign-ins and refreshes per IP on /auth/v1/token; GoTrue's 150 per 5 minutes, burst 30, by default. */
  tokenRateLimit?: TokenRateLimit
  /**
   * Where /storage/v1 keeps object bytes (`<state>/storage` for `pnpm dev`). Absent: a fresh
   * temporary folder, deleted on close. Give the same folder again to keep files across restarts.
   */
  storageDir?: string
  /** The largest object Storage takes, whatever the bucket says (Storage's FILE_SIZE_LIMIT); 100 MiB by default. */
  storageFileSizeLimit?: number
  /** Sign-up leaves the address unconfirmed and logs the confirmation link; off by default, as in the Supabase CLI. */
  confirmEmail?: boolean
}

/** 100 MiB: WhatsApp's document limit, the largest media Relevo keeps. */
export const DEFAULT_STORAGE_FILE_SIZE_LIMIT = 100 * 1024 * 1024

export interface StandIn {
  url: string
  keys: ApiKeys
  webhooks: WebhookDispatcher | undefined
  /** Where /storage/v1 keeps object bytes. */
  storageDir: string
  close(): Promise<void>
}

/** Starts the stand-in over an already migrated database. */
export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const { db, logger } = options
  const keys = options.keys ?? (await createApiKeys())
  const host = options.host ?? '127.0.0.1'
  if (keys.jwtSecret === DEMO_JWT_SECRET && !isLoopback(host)) {
    throw new Error(
      `Refusing to listen on ${host} with the public demo JWT secret: anyone who can reach it could sign a service_role key. ` +
        'Set JWT_SECRET to a secret of at least 32 characters, or listen on 127.0.0.1.',
    )
  }
  const cache = new SchemaCache(db)
  // PostgREST reloads its schema cache on this NOTIFY; so does the stand-in.
  const unlistenCache = await db.listen('pgrst', () => cache.invalidate())
  const ownStorageDir = options.storageDir ? null : await mkdtemp(join(tmpdir(), 'relevo-storage-'))
  const files = new FileStore(options.storageDir ?? ownStorageDir ?? '')
  await files.init()
  const realtime = createRealtime({ db, keys, logger })
  let url = ''
  const server = createHttpServer({
    db,
    keys,
    logger,
    cache,
    publicUrl: () => url,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    rest: { maxRows: options.maxRows ?? 1000, txEnd: options.txEnd ?? 'commit' },
    tokenRateLimit: options.tokenRateLimit ?? GOTRUE_TOKEN_RATE_LIMIT,
    confirmEmail: options.confirmEmail ?? false,
    upgrade: (req, socket, head) => realtime.handleUpgrade(req, socket, head),
    storage: { files, maxFileSize: options.storageFileSizeLimit ?? DEFAULT_STORAGE_FILE_SIZE_LIMIT },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 54321, host, () => resolve())
  }).catch(async (error: unknown) => {
    await realtime.close()
    await unlistenCache()
    if (ownStorageDir) await rm(ownStorageDir, { recursive: true, force: true })
    throw error
  })
  const address = server.address() as AddressInfo
  url = `http://${address.address}:${address.port}`
  const webhooks =
    options.webhooks === false
      ? undefined
      : await startWebhookDispatcher({
          db,
          logger,
          ...(options.webhookRetry ? { retry: options.webhookRetry } : {}),
        })
  return {
    url,
    keys,
    webhooks,
    storageDir: files.root,
    async close() {
      await webhooks?.close()
      await realtime.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await unlistenCache()
      if (ownStorageDir) await rm(ownStorageDir, { recursive: true, force: true })
    },
  }
}
