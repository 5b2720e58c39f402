import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { pino } from 'pino'
import {
  type Database,
  type DatabaseKind,
  openThrowawayDatabase,
  testDatabaseKinds,
} from '../../src/db/index.ts'
import { type ApiKeys, createApiKeys, signAccessToken } from '../keys.ts'
import { createRealtime, type RealtimeOptions } from './index.ts'
import { twoTenantSchema } from './two-tenants.ts'

/**
 * Test harness: a fresh database per test file (in-memory PGlite, or a new database on the
 * server in RELEVO_TEST_PG_URL, dropped afterwards), the bootstrap SQL and the two-tenant schema of
 * two-tenants.ts, and the realtime module behind a node:http server on a loopback port 0.
 */
export interface TestStack {
  db: Database
  keys: ApiKeys
  url: string
  tokenFor(sub: string, expiresInSeconds?: number): Promise<string>
  /** A supabase-js client whose realtime token is `token` (a user JWT), or anon when absent. */
  client(token?: string): Promise<SupabaseClient>
  /** Cuts every WebSocket's TCP connection, as a network drop would. */
  dropSockets(): void
  close(): Promise<void>
}

/** `database`: the engine (real PostgreSQL when RELEVO_TEST_PG_URL is set, else PGlite, by default). */
export async function startStack(
  options: Partial<RealtimeOptions> & { database?: DatabaseKind } = {},
): Promise<TestStack> {
  const { database = testDatabaseKinds.at(-1) ?? 'pglite', ...realtimeOptions } = options
  const db = await openThrowawayDatabase(database, { schema: 'bootstrap' })
  await db.exec(twoTenantSchema)
  const keys = await createApiKeys()
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  const realtime = createRealtime({ db, keys, logger, joinErrorBackoffMs: 0, ...realtimeOptions })
  const server = createServer((_req, res) => res.writeHead(404).end())
  const sockets = new Set<Duplex>()
  server.on('upgrade', (req, socket, head) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    realtime.handleUpgrade(req, socket, head)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const clients: SupabaseClient[] = []
  return {
    db,
    keys,
    url,
    tokenFor: (sub, expiresInSeconds = 3600) =>
      signAccessToken(
        {
          role: 'authenticated',
          sub,
          aud: 'authenticated',
          exp: Math.floor(Date.now() / 1000) + expiresInSeconds,
        },
        keys,
      ),
    async client(token) {
      let current = token ?? keys.anonKey
      const supabase = createClient(url, keys.anonKey, { accessToken: async () => current })
      await supabase.realtime.setAuth(current)
      // Later setAuth(token) calls go through the callback; keep it in step.
      const setAuth = supabase.realtime.setAuth.bind(supabase.realtime)
      supabase.realtime.setAuth = (next?: string | null) => {
        if (next) current = next
        return setAuth(next)
      }
      clients.push(supabase)
      return supabase
    },
    dropSockets() {
      for (const socket of sockets) socket.destroy()
    },
    async close() {
      await Promise.all(clients.map((supabase) => supabase.removeAllChannels()))
      for (const supabase of clients) supabase.realtime.disconnect()
      server.closeAllConnections()
      await realtime.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await db.close()
    },
  }
}

/** Resolves when `check` returns a value other than undefined; rejects after `ms`. */
export async function eventually<T>(check: () => T | undefined, ms = 5_000, what = 'condition'): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

type Channel = ReturnType<SupabaseClient['channel']>

/** Subscribes and resolves with the first terminal status: SUBSCRIBED, CHANNEL_ERROR (with its message), … */
export function subscribe(channel: Channel): Promise<{ status: string; error?: string }> {
  return new Promise((resolve) => {
    let settled = false
    channel.subscribe((status, error) => {
      if (settled) return
      settled = true
      resolve(error ? { status, error: error.message } : { status })
    })
  })
}
