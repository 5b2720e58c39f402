import { z } from 'zod'
import { broadcastFromClient } from './broadcast.ts'
import { readAccess, writeAccess } from './channel-auth.ts'
import type { RealtimeContext } from './context.ts'
import type { BinaryBroadcast, Frame } from './frames.ts'
import { type ChannelJoin, closeJoin, reply } from './hub.ts'
import { scheduleExpiry } from './join.ts'
import { JoinTokenError, verifyChannelToken } from './tokens.ts'

const presenceMessage = z.object({
  event: z.string(),
  payload: z.unknown().optional(),
})

const textBroadcast = z.object({ event: z.string(), payload: z.unknown().optional() })

/** Events on a joined channel other than phx_join; `join` is the channel the frame belongs to. */
export async function handleChannelEvent(
  ctx: RealtimeContext,
  join: ChannelJoin,
  frame: Frame,
): Promise<void> {
  switch (frame.event) {
    case 'phx_leave':
      reply(join.conn, frame, 'ok')
      closeJoin(ctx.hub, join)
      return
    case 'presence':
      return handlePresence(ctx, join, frame)
    case 'broadcast': {
      const message = textBroadcast.safeParse(frame.payload)
      if (!message.success)
        return reply(join.conn, frame, 'error', { reason: 'broadcast payload must have an event' })
      const { event: userEvent, payload } = message.data
      await broadcastFromClient(ctx.db, ctx.hub, join, {
        userEvent,
        payload,
        meta: null,
        binary: false,
        viaBinary: false,
      })
      if (join.broadcast.ack) reply(join.conn, frame, 'ok')
      return
    }
    case 'access_token':
      return handleAccessToken(ctx, join, frame)
    default:
      reply(join.conn, frame, 'error', { reason: `unknown event ${frame.event}` })
  }
}

export async function handleBinaryBroadcast(
  ctx: RealtimeContext,
  join: ChannelJoin,
  message: BinaryBroadcast,
): Promise<void> {
  await broadcastFromClient(ctx.db, ctx.hub, join, { ...message, viaBinary: true })
  if (join.broadcast.ack)
    reply(join.conn, { joinRef: join.joinRef, ref: message.ref, topic: join.topic }, 'ok')
}

/**
 * track/untrack (wire §1.9). Both count against Supabase's per-join client limit, 5 calls per
 * 30 s; going over closes the channel with a system error. Without INSERT on realtime.messages
 * a private channel's presence calls are ignored but answered ok, as the real server does.
 */
async function handlePresence(ctx: RealtimeContext, join: ChannelJoin, frame: Frame): Promise<void> {
  const message = presenceMessage.safeParse(frame.payload)
  const event = message.success ? message.data.event.toLowerCase() : ''
  if (event !== 'track' && event !== 'untrack')
    return reply(join.conn, frame, 'error', { reason: 'unknown presence event' })
  const now = Date.now()
  join.presenceCalls = join.presenceCalls.filter((at) => now - at < ctx.options.presenceWindowMs)
  if (join.presenceCalls.length >= ctx.options.presenceMaxCalls) {
    join.conn.log.info({ topic: join.topic }, 'ClientPresenceRateLimitReached')
    return closeJoin(ctx.hub, join, 'Client presence rate limit exceeded')
  }
  join.presenceCalls.push(now)
  if (join.private) {
    join.canWrite.presence ??= await writeAccess(ctx.db, join.claims, join.subTopic, 'presence')
    if (!join.canWrite.presence) return reply(join.conn, frame, 'ok')
  }
  if (event === 'untrack') {
    ctx.presence.untrack(join)
    return reply(join.conn, frame, 'ok')
  }
  const payload = message.data?.payload ?? {}
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return reply(join.conn, frame, 'error', { reason: 'Presence track payload must be a map' })
  }
  join.presenceEnabled = true
  ctx.presence.track(join, payload as Record<string, unknown>)
  reply(join.conn, frame, 'ok')
}

/**
 * A new token for a joined channel (wire §1.10): no reply; `sb_` keys and repeats are ignored;
 * a bad or expired token closes the channel; a private channel is re-authorized with the new
 * claims and closed when its read access is gone.
 */
async function handleAccessToken(ctx: RealtimeContext, join: ChannelJoin, frame: Frame): Promise<void> {
  const token = frame.payload.access_token
  if (typeof token !== 'string' || token.startsWith('sb_') || token === join.token) return
  let claims: Awaited<ReturnType<typeof verifyChannelToken>>
  try {
    claims = await verifyChannelToken(token, ctx.keys)
  } catch (error) {
    if (error instanceof JoinTokenError) return closeJoin(ctx.hub, join, error.message)
    throw error
  }
  if (join.private) {
    const canRead = await readAccess(ctx.db, claims, join.subTopic)
    if (!canRead.broadcast && !canRead.presence) {
      return closeJoin(
        ctx.hub,
        join,
        `You no longer have permission to read from this Channel topic: ${join.subTopic}`,
      )
    }
    join.canRead = canRead
    join.canWrite = {}
  }
  join.token = token
  join.claims = claims
  scheduleExpiry(ctx, join)
}
