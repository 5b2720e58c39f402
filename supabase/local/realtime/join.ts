import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { readAccess } from './channel-auth.ts'
import type { RealtimeContext } from './context.ts'
import { type ChangeEvent, FilterError, type PgBinding, parseFilter } from './filters.ts'
import type { Frame } from './frames.ts'
import { type ChannelJoin, type Connection, closeJoin, push, reply } from './hub.ts'
import { JoinTokenError, msUntilExpiry, verifyChannelToken } from './tokens.ts'

const postgresChange = z.looseObject({
  event: z.string(),
  schema: z.string().optional(),
  table: z.string().optional(),
  filter: z.string().optional(),
})

const joinPayload = z.looseObject({
  config: z
    .looseObject({
      broadcast: z.looseObject({ self: z.boolean().optional(), ack: z.boolean().optional() }).optional(),
      presence: z.looseObject({ key: z.string().optional(), enabled: z.boolean().optional() }).optional(),
      postgres_changes: z.array(postgresChange).optional(),
      private: z.boolean().optional(),
    })
    .optional(),
  access_token: z.string().nullable().optional(),
})

let nextBindingId = 1000

/** phx_join (wire §1.5, §1.6): authenticate, authorize, register, reply, then the follow-up pushes. */
export async function handleJoin(ctx: RealtimeContext, conn: Connection, frame: Frame): Promise<void> {
  const subTopic = frame.topic.replace(/^realtime:/, '')
  const parsed = joinPayload.safeParse(frame.payload)
  if (!parsed.success || frame.ref === null) {
    return reply(conn, frame, 'error', { reason: 'UnknownErrorOnChannel: malformed join payload' })
  }
  const config = parsed.data.config ?? {}
  const token = parsed.data.access_token || conn.apiKey
  const denied = async (reason: string) => {
    // Supabase waits before an error reply to damp the client's automatic rejoin storm.
    await sleep(ctx.options.joinErrorBackoffMs)
    reply(conn, frame, 'error', { reason })
  }
  const previous = conn.joins.get(frame.topic)
  if (previous) ctx.hub.remove(previous)

  let claims: Awaited<ReturnType<typeof verifyChannelToken>>
  try {
    claims = await verifyChannelToken(token, ctx.keys)
  } catch (error) {
    if (error instanceof JoinTokenError) return denied(`InvalidJWTToken: ${error.message}`)
    throw error
  }
  const isPrivate = config.private === true
  const canRead = isPrivate ? await readAccess(ctx.db, claims, subTopic) : { broadcast: true, presence: true }
  if (!canRead.broadcast && !canRead.presence) {
    conn.log.info({ topic: frame.topic, role: claims.role }, 'private channel join denied')
    return denied(`Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`)
  }

  const requested = config.postgres_changes ?? []
  const systemMessages: Record<string, unknown>[] = []
  const bindings: PgBinding[] = []
  const echoed = requested.map((change) => {
    const id = nextBindingId++
    try {
      bindings.push({
        id,
        event: normalizeEvent(change.event),
        schema: change.schema ?? 'public',
        table: change.table,
        conditions: parseFilter(change.filter),
      })
    } catch (error) {
      if (!(error instanceof FilterError)) throw error
      systemMessages.push(pgSystem('error', `Error parsing \`filter\` params: ${error.message}`, subTopic))
    }
    return { ...change, id }
  })

  // Hook the tables before replying, so a write right after SUBSCRIBED is captured.
  await ctx.changes.ensureHooked(bindings)
  for (const binding of bindings) {
    if (!binding.table || binding.table === '*' || (await ctx.tables.get(binding.schema, binding.table)))
      continue
    systemMessages.push(
      pgSystem(
        'error',
        `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: ${binding.event}, schema: ${binding.schema}, table: ${binding.table}]`,
        subTopic,
      ),
    )
  }

  // The socket may have gone while the database was asked; a join now would never be removed.
  if (conn.closed) return
  const join: ChannelJoin = {
    conn,
    topic: frame.topic,
    subTopic,
    joinRef: frame.ref,
    private: isPrivate,
    broadcast: { self: config.broadcast?.self === true, ack: config.broadcast?.ack === true },
    presenceKey: config.presence?.key || randomUUID(),
    presenceEnabled: config.presence?.enabled === true,
    token,
    claims,
    bindings,
    canRead,
    canWrite: {},
    presenceCalls: [],
    since: 0,
  }
  ctx.hub.add(join)
  scheduleExpiry(ctx, join)
  reply(conn, frame, 'ok', requested.length > 0 ? { postgres_changes: echoed } : {})
  conn.log.debug({ topic: frame.topic, private: isPrivate, bindings: bindings.length }, 'channel joined')
  if (join.presenceEnabled && canRead.presence) push(join, 'presence_state', ctx.presence.state(join), true)

  if (requested.length === 0) return
  if (systemMessages.length === 0) systemMessages.push(pgSystem('ok', 'Subscribed to PostgreSQL', subTopic))
  for (const message of systemMessages) push(join, 'system', message, true)
}

/** Closes the channel when its token expires; the client must send a fresh one before (wire §1.10). */
export function scheduleExpiry(ctx: RealtimeContext, join: ChannelJoin): void {
  clearTimeout(join.expiryTimer)
  const ms = msUntilExpiry(join.claims)
  if (ms === null) return
  join.expiryTimer = setTimeout(() => closeJoin(ctx.hub, join, 'Token has expired 0 seconds ago'), ms)
  join.expiryTimer.unref()
}

function normalizeEvent(event: string): ChangeEvent {
  const upper = event.toUpperCase()
  if (upper === 'INSERT' || upper === 'UPDATE' || upper === 'DELETE' || upper === '*') return upper
  throw new FilterError(`event must be INSERT, UPDATE, DELETE or *, got ${event}`)
}

function pgSystem(status: 'ok' | 'error', message: string, channel: string): Record<string, unknown> {
  return { extension: 'postgres_changes', status, message, channel }
}
