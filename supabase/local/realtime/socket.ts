import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import { handleBinaryBroadcast, handleChannelEvent } from './channel-events.ts'
import type { RealtimeContext } from './context.ts'
import { decodeBinary, decodeText, type Frame, FrameError } from './frames.ts'
import { type ChannelJoin, type Connection, reply } from './hub.ts'
import { handleJoin } from './join.ts'

export interface LiveConnection extends Connection {
  lastSeen: number
  terminate(): void
}

/**
 * One WebSocket's state machine (wire §1.12). Frames of one topic are handled in order (a join
 * awaits the database, and what follows it must see the join); heartbeats are answered at once
 * so a slow join never looks like a dead socket. A frame that cannot be decoded closes only
 * this socket, as a crashed Phoenix socket process would.
 */
export function acceptSocket(ctx: RealtimeContext, ws: WebSocket, apiKey: string): LiveConnection {
  const id = randomUUID()
  const chains = new Map<string, Promise<void>>()
  const conn: LiveConnection = {
    id,
    apiKey,
    log: ctx.log.child({ conn: id }),
    joins: new Map(),
    get closed() {
      return ws.readyState !== ws.OPEN
    },
    lastSeen: Date.now(),
    send(data) {
      if (ws.readyState === ws.OPEN) ws.send(data)
    },
    terminate() {
      ws.terminate()
    },
  }

  const inOrder = (topic: string, task: () => Promise<void>) => {
    const next = (chains.get(topic) ?? Promise.resolve()).then(task).catch((error: unknown) => {
      conn.log.error({ err: error, topic }, 'channel event failed')
    })
    chains.set(topic, next)
    void next.then(() => {
      if (chains.get(topic) === next) chains.delete(topic)
    })
  }

  const current = (topic: string, joinRef: string | null): ChannelJoin | undefined => {
    const join = conn.joins.get(topic)
    // Frames carrying an older join_ref belong to a channel instance that no longer exists.
    return join && (joinRef === null || joinRef === join.joinRef) ? join : undefined
  }

  const onText = (frame: Frame) => {
    conn.log.trace(
      { topic: frame.topic, event: frame.event, ref: frame.ref, joinRef: frame.joinRef },
      'frame in',
    )
    if (frame.topic === 'phoenix' && frame.event === 'heartbeat') return reply(conn, frame, 'ok')
    if (frame.event === 'phx_join') return inOrder(frame.topic, () => handleJoin(ctx, conn, frame))
    inOrder(frame.topic, async () => {
      const join = current(frame.topic, frame.joinRef)
      if (!join) return reply(conn, frame, 'error', { reason: 'unmatched topic' })
      await handleChannelEvent(ctx, join, frame)
    })
  }

  ws.on('message', (data, isBinary) => {
    conn.lastSeen = Date.now()
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
    try {
      if (!isBinary) return onText(decodeText(buffer.toString('utf8')))
      const message = decodeBinary(buffer)
      inOrder(message.topic, async () => {
        const join = current(message.topic, message.joinRef)
        if (join) await handleBinaryBroadcast(ctx, join, message)
      })
    } catch (error) {
      if (!(error instanceof FrameError)) throw error
      conn.log.info({ reason: error.message }, 'closing socket after an undecodable frame')
      ws.close(1007, 'invalid frame')
    }
  })
  ws.on('close', () => {
    for (const join of [...conn.joins.values()]) ctx.hub.remove(join)
    conn.log.debug('socket closed')
  })
  ws.on('error', (error) => conn.log.info({ err: error }, 'socket error'))
  conn.log.debug('socket opened')
  return conn
}
