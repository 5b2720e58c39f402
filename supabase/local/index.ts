/**
 * @module
 * The local Supabase stand-in: `/rest/v1`, `/auth/v1`, `/realtime/v1` and database webhooks on
 * one port, speaking Supabase's wire formats for the unmodified supabase-js client.
 * See README.md beside this file.
 */
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Database } from '../src/db/index.ts'
import { type ApiKeys, createApiKeys } from './keys.ts'
import { createRealtime } from './realtime/index.ts'
import { SchemaCache } from './rest/schema-cache.ts'
import { createHttpServer } from './server.ts'
import { type RetryPolicy, startWebhookDispatcher, type WebhookDispatcher } from './webhooks/dispatcher.ts'

export { type ApiKeys, createApiKeys } from './keys.ts'

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
}

export interface StandIn {
  url: string
  keys: ApiKeys
  webhooks: WebhookDispatcher | undefined
  close(): Promise<void>
}

/** Starts the stand-in over an already migrated database. */
export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const { db, logger } = options
  const keys = options.keys ?? (await createApiKeys())
  const cache = new SchemaCache(db)
  // PostgREST reloads its schema cache on this NOTIFY; so does the stand-in.
  const unlistenCache = await db.listen('pgrst', () => cache.invalidate())
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
    upgrade: (req, socket, head) => realtime.handleUpgrade(req, socket, head),
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 54321, options.host ?? '127.0.0.1', () => resolve())
  }).catch(async (error: unknown) => {
    await realtime.close()
    await unlistenCache()
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
    async close() {
      await webhooks?.close()
      await realtime.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await unlistenCache()
    },
  }
}
