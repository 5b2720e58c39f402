import type { Logger } from 'pino'
import { z } from 'zod'
import type { Database } from '../../src/db/index.ts'
import { writeAccess } from './channel-auth.ts'
import { encodeBinary, encodeText } from './frames.ts'
import type { ChannelJoin, Hub } from './hub.ts'

export interface UserBroadcast {
  userEvent: string
  payload: unknown
  meta: Record<string, unknown> | null
  /** Raw bytes (enc 0) rather than JSON. */
  binary: boolean
  /** Arrived as a kind-3 binary frame: answered with kind 4, as the real server does for vsn 2. */
  viaBinary: boolean
}

/**
 * Client broadcast: fans out to the other joins of the same topic and privacy (to the sender
 * too with `self`). On a private channel the sender needs INSERT on realtime.messages for the
 * topic; without it the message is dropped, as Supabase ignores it.
 */
export async function broadcastFromClient(
  db: Database,
  hub: Hub,
  sender: ChannelJoin,
  message: UserBroadcast,
): Promise<void> {
  if (sender.private) {
    sender.canWrite.broadcast ??= await writeAccess(db, sender.claims, sender.subTopic, 'broadcast')
    if (!sender.canWrite.broadcast)
      return void sender.conn.log.debug({ topic: sender.topic }, 'broadcast without write access dropped')
  }
  const binary = message.viaBinary
    ? encodeBinary({
        topic: sender.topic,
        userEvent: message.userEvent,
        meta: clientMeta(message.meta),
        payload: message.payload,
        binary: message.binary,
      })
    : null
  const text = binary
    ? null
    : encodeText({
        joinRef: null,
        ref: null,
        topic: sender.topic,
        event: 'broadcast',
        payload: { type: 'broadcast', event: message.userEvent, payload: message.payload },
      })
  for (const join of hub.joinsOf(sender.topic)) {
    if (join.private !== sender.private || !join.canRead.broadcast) continue
    if (join === sender && !sender.broadcast.self) continue
    join.conn.send(binary ?? (text as string))
  }
}

/**
 * A client may set only `persist` in a broadcast's meta (realtime-js's allow-list). `id` marks a
 * message that came from realtime.messages, so a client must not be able to claim one (ADR 070).
 */
function clientMeta(meta: Record<string, unknown> | null): Record<string, unknown> | null {
  return meta && 'persist' in meta ? { persist: meta.persist } : null
}

const messageRow = z.object({
  topic: z.string(),
  event: z.string().nullable(),
  payload: z.unknown(),
  private: z.boolean().nullable(),
  id: z.string(),
})

/** '<id>:<topic>' from realtime.send(); a bare id (older bootstrap) means the topic is unknown. */
function parseNotice(notice: string): [id: string, topic: string | undefined] {
  const colon = notice.indexOf(':')
  return colon === -1 ? [notice, undefined] : [notice.slice(0, colon), notice.slice(colon + 1)]
}

function isEmpty(items: Iterable<unknown>): boolean {
  return items[Symbol.iterator]().next().done === true
}

/**
 * Broadcast from the database: realtime.send() inserts into realtime.messages and NOTIFYs
 * '<id>:<topic>' on 'realtime_messages'. Private messages reach only private joins whose read access was
 * granted at join (and re-checked on token change); public ones reach public joins. Sent as a
 * text frame, as the real server does for broadcasts that come from the database.
 */
export function listenDatabaseBroadcasts(db: Database, hub: Hub, log: Logger): Promise<() => Promise<void>> {
  let queue: Promise<void> = Promise.resolve()
  return db.listen('realtime_messages', (notice) => {
    const [id, topic] = parseNotice(notice)
    // Most rows go to topics nobody joined (a tenant with no dashboard open): skip the read.
    if (topic !== undefined && isEmpty(hub.joinsOf(`realtime:${topic}`))) return
    const at = hub.tick()
    queue = queue
      .then(async () => {
        const result = await db.query(
          'select id::text as id, topic, event, payload, private from realtime.messages where id = $1::bigint',
          [id],
        )
        const row = messageRow.safeParse(result.rows[0])
        if (!row.success) return
        const { topic, event, payload } = row.data
        const isPrivate = row.data.private !== false
        const frame = encodeText({
          joinRef: null,
          ref: null,
          topic: `realtime:${topic}`,
          event: 'broadcast',
          payload: { type: 'broadcast', event: event ?? '', payload, meta: { id: row.data.id } },
        })
        for (const join of hub.joinsOf(`realtime:${topic}`)) {
          if (join.since < at && join.private === isPrivate && join.canRead.broadcast) join.conn.send(frame)
        }
      })
      .catch((error: unknown) => log.error({ err: error }, 'database broadcast failed'))
  })
}
