import type { Logger } from 'pino'
import type { Database } from '../../src/db/index.ts'
import type { ApiKeys } from '../keys.ts'
import type { Hub } from './hub.ts'
import type { PostgresChanges } from './postgres-changes.ts'
import type { Presence } from './presence.ts'
import type { TableCatalog } from './tables.ts'

/** Tunables; the defaults are Supabase's (wire §1.4, §1.6, §5.1). Tests shorten the timers. */
export interface RealtimeOptions {
  /** A socket that sends nothing (no heartbeat) for this long is closed. Phoenix: 60 s. */
  heartbeatTimeoutMs: number
  /** Delay before an error join reply (Supabase's CHANNEL_ERROR_BACKOFF_MS). */
  joinErrorBackoffMs: number
  /** Larger frames close the socket (code 1009). Supabase's broadcast payload cap: 3,000 KB. */
  maxFrameBytes: number
  /** Presence track/untrack calls per channel join and window (CLIENT_PRESENCE_MAX_CALLS/WINDOW_MS). */
  presenceMaxCalls: number
  presenceWindowMs: number
}

export const defaultRealtimeOptions = {
  heartbeatTimeoutMs: 60_000,
  joinErrorBackoffMs: 5_000,
  maxFrameBytes: 3_000 * 1024,
  presenceMaxCalls: 5,
  presenceWindowMs: 30_000,
} satisfies RealtimeOptions

/** Everything a connection's handlers share. */
export interface RealtimeContext {
  db: Database
  keys: ApiKeys
  log: Logger
  hub: Hub
  presence: Presence
  changes: PostgresChanges
  tables: TableCatalog
  options: RealtimeOptions
}
