import type { Logger } from 'pino'
import type { Claims } from '../keys.ts'
import type { ReadAccess } from './channel-auth.ts'
import type { PgBinding } from './filters.ts'
import { encodeText } from './frames.ts'

/** One WebSocket, as the channel code sees it. */
export interface Connection {
  readonly id: string
  readonly log: Logger
  /** The `apikey` of the upgrade: the join token when `access_token` is absent (wire §1.5). */
  readonly apiKey: string
  readonly joins: Map<string, ChannelJoin>
  readonly closed: boolean
  send(data: string | Buffer): void
}

/** One joined channel on one socket: what Phoenix keeps in a channel process's assigns. */
export interface ChannelJoin {
  readonly conn: Connection
  readonly topic: string
  readonly subTopic: string
  readonly joinRef: string
  readonly private: boolean
  readonly broadcast: { self: boolean; ack: boolean }
  readonly presenceKey: string
  presenceEnabled: boolean
  token: string
  claims: Claims
  bindings: PgBinding[]
  /** Public channels read everything; private ones what realtime.messages policies allowed at join. */
  canRead: ReadAccess
  /** Write access is probed lazily on the first send or track, as Supabase does. */
  canWrite: { broadcast?: boolean; presence?: boolean }
  presenceCalls: number[]
  /** Hub clock at join: database events received before it are not this join's to see. */
  since: number
  expiryTimer?: NodeJS.Timeout | undefined
}

type LeaveListener = (join: ChannelJoin) => void

/** Who is joined to what; the single place that adds, finds and removes channel joins. */
export class Hub {
  private readonly topics = new Map<string, Set<ChannelJoin>>()
  private readonly leaveListeners: LeaveListener[] = []
  private clock = 0

  /** A logical clock that orders joins against database events as they arrive. */
  tick(): number {
    return ++this.clock
  }

  onLeave(listener: LeaveListener): void {
    this.leaveListeners.push(listener)
  }

  add(join: ChannelJoin): void {
    join.since = this.tick()
    join.conn.joins.set(join.topic, join)
    const joins = this.topics.get(join.topic) ?? new Set()
    this.topics.set(join.topic, joins)
    joins.add(join)
  }

  /** Removes a join (leave, close, socket gone); listeners emit presence leaves. Idempotent. */
  remove(join: ChannelJoin): void {
    if (join.conn.joins.get(join.topic) !== join) return
    join.conn.joins.delete(join.topic)
    clearTimeout(join.expiryTimer)
    const joins = this.topics.get(join.topic)
    joins?.delete(join)
    if (joins?.size === 0) this.topics.delete(join.topic)
    for (const listener of this.leaveListeners) listener(join)
  }

  joinsOf(topic: string): Iterable<ChannelJoin> {
    return this.topics.get(topic) ?? []
  }

  *all(): Iterable<ChannelJoin> {
    for (const joins of this.topics.values()) yield* joins
  }

  isCurrent(join: ChannelJoin): boolean {
    return join.conn.joins.get(join.topic) === join
  }
}

/** Fan-out pushes use a null join_ref (the real server's "fastlane"); direct pushes use the join's. */
export function push(
  join: ChannelJoin,
  event: string,
  payload: Record<string, unknown>,
  direct = false,
): void {
  join.conn.send(
    encodeText({ joinRef: direct ? join.joinRef : null, ref: null, topic: join.topic, event, payload }),
  )
}

export function reply(
  conn: Connection,
  frame: { joinRef: string | null; ref: string | null; topic: string },
  status: 'ok' | 'error',
  response: Record<string, unknown> = {},
): void {
  conn.send(
    encodeText({
      joinRef: frame.joinRef,
      ref: frame.ref,
      topic: frame.topic,
      event: 'phx_reply',
      payload: { status, response },
    }),
  )
}

/**
 * Ends a channel from the server side: a `system` error (when given) then `phx_close` with
 * ref == join_ref, which the client requires (wire §1.3, §1.8). The client does not rejoin.
 */
export function closeJoin(hub: Hub, join: ChannelJoin, message?: string): void {
  if (!hub.isCurrent(join)) return
  if (message) {
    push(join, 'system', { extension: 'system', status: 'error', message, channel: join.subTopic }, true)
  }
  join.conn.send(
    encodeText({
      joinRef: join.joinRef,
      ref: join.joinRef,
      topic: join.topic,
      event: 'phx_close',
      payload: {},
    }),
  )
  hub.remove(join)
}
