/**
 * @module
 * Supabase Realtime for the local stand-in: the `/realtime/v1/websocket` endpoint speaking
 * Phoenix vsn 2.0.0 to unmodified supabase-js 2.119, with postgres_changes (RLS per
 * subscriber), broadcast from the database on private channels, client broadcast and presence.
 * See README.md beside this file for what is supported and what is not.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import type { Database } from '../../src/db/index.ts'
import { type ApiKeys, claimsFor } from '../keys.ts'
import { listenDatabaseBroadcasts } from './broadcast.ts'
import { defaultRealtimeOptions, type RealtimeContext, type RealtimeOptions } from './context.ts'
import { Hub } from './hub.ts'
import { PostgresChanges } from './postgres-changes.ts'
import { Presence } from './presence.ts'
import { acceptSocket, type LiveConnection } from './socket.ts'
import { TableCatalog } from './tables.ts'

export type { RealtimeOptions } from './context.ts'

export interface CreateRealtimeOptions extends Partial<RealtimeOptions> {
  db: Database
  keys: ApiKeys
  logger: Logger
}

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  close(): Promise<void>
}

/**
 * Starts change capture and the database-broadcast listener in the background; sockets that
 * arrive before they are ready wait for them, so no change after a successful join is missed.
 */
export function createRealtime(options: CreateRealtimeOptions): Realtime {
  const { db, keys, logger, ...tunables } = options
  const log = logger.child({ component: 'realtime' })
  const hub = new Hub()
  const tables = new TableCatalog(db)
  const ctx: RealtimeContext = {
    db,
    keys,
    log,
    hub,
    tables,
    presence: new Presence(hub),
    changes: new PostgresChanges(db, hub, tables, log),
    options: { ...defaultRealtimeOptions, ...tunables },
  }
  const wss = new WebSocketServer({ noServer: true, maxPayload: ctx.options.maxFrameBytes })
  const connections = new Set<LiveConnection>()
  const ready = Promise.all([ctx.changes.start(), listenDatabaseBroadcasts(db, hub, log)])
  ready.catch((error: unknown) => log.error({ err: error }, 'realtime failed to start'))

  const sweep = setInterval(
    () => {
      const deadline = Date.now() - ctx.options.heartbeatTimeoutMs
      for (const conn of connections) if (conn.lastSeen < deadline) conn.terminate()
    },
    Math.min(5_000, ctx.options.heartbeatTimeoutMs / 2),
  )
  sweep.unref()

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const header = req.headers['x-api-key']
      const apiKey = url.searchParams.get('apikey') ?? (typeof header === 'string' ? header : null)
      const vsn = url.searchParams.get('vsn')
      if (vsn !== '2.0.0') return rejectUpgrade(socket, 400, 'Only Phoenix serializer vsn 2.0.0 is supported')
      if (!apiKey) return rejectUpgrade(socket, 401, 'API key is missing')
      const accept = () =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          const conn = acceptSocket(ctx, ws, apiKey)
          connections.add(conn)
          ws.on('close', () => connections.delete(conn))
        })
      claimsFor(apiKey, keys).then(
        () =>
          ready.then(accept, () =>
            rejectUpgrade(socket, 503, 'Realtime is not available: change capture failed to start'),
          ),
        () => rejectUpgrade(socket, 401, 'Invalid API key'),
      )
    },
    async close() {
      clearInterval(sweep)
      for (const conn of connections) conn.terminate()
      wss.close()
      const stops = await ready.catch(() => [])
      await Promise.all(stops.map((stop) => stop()))
    },
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  503: 'Service Unavailable',
}

function rejectUpgrade(socket: Duplex, status: number, error: string): void {
  const body = JSON.stringify({ error })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}
