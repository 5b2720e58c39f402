import { z } from 'zod'

/**
 * Phoenix serializer vsn 2.0.0 as realtime-js 2.119 speaks it (`RealtimeClient`'s serializer):
 * text frames are JSON arrays `[join_ref, ref, topic, event, payload]`; binary frames carry
 * user broadcasts only (kind 3 in from the client, kind 4 out to clients).
 */
export interface Frame {
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  payload: Record<string, unknown>
}

/** A client broadcast decoded from a kind-3 frame; `payload` is JSON or raw bytes by `enc`. */
export interface BinaryBroadcast {
  joinRef: string
  ref: string
  topic: string
  userEvent: string
  meta: Record<string, unknown> | null
  payload: unknown
  binary: boolean
}

export class FrameError extends Error {
  readonly code = 'bad_frame'
}

const KIND_USER_BROADCAST_PUSH = 3
const KIND_USER_BROADCAST = 4

const textFrame = z.tuple([
  z.string().nullable(),
  z.string().nullable(),
  z.string().min(1),
  z.string().min(1),
  z.record(z.string(), z.unknown()),
])

export function decodeText(text: string): Frame {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new FrameError('text frame is not JSON', { cause })
  }
  const parsed = textFrame.safeParse(json)
  if (!parsed.success) throw new FrameError('text frame is not [join_ref, ref, topic, event, payload]')
  const [joinRef, ref, topic, event, payload] = parsed.data
  return { joinRef, ref, topic, event, payload }
}

export function encodeText(frame: Frame): string {
  return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload])
}

/** Decodes a kind-3 USER_BROADCAST_PUSH; any other kind is a protocol error for this server. */
export function decodeBinary(data: Buffer): BinaryBroadcast {
  if (data.length < 7 || data[0] !== KIND_USER_BROADCAST_PUSH)
    throw new FrameError('unsupported binary frame')
  const sizes = [data[1], data[2], data[3], data[4], data[5]] as number[]
  const enc = data[6]
  let offset = 7
  const fields: string[] = []
  for (const size of sizes) {
    if (offset + size > data.length) throw new FrameError('binary frame is truncated')
    fields.push(data.toString('utf8', offset, offset + size))
    offset += size
  }
  const [joinRef = '', ref = '', topic = '', userEvent = '', metaText = ''] = fields
  const body = data.subarray(offset)
  let meta: Record<string, unknown> | null = null
  let payload: unknown = body
  try {
    if (metaText) meta = z.record(z.string(), z.unknown()).parse(JSON.parse(metaText))
    if (enc === 1) payload = JSON.parse(body.toString('utf8'))
  } catch (cause) {
    throw new FrameError('binary frame has bad JSON', { cause })
  }
  if (!topic || !userEvent) throw new FrameError('binary frame has no topic or event')
  return { joinRef, ref, topic, userEvent, meta, payload, binary: enc !== 1 }
}

/**
 * Encodes a kind-4 USER_BROADCAST. Header fields are uint8 lengths, so a topic or event over
 * 255 bytes cannot be encoded: the caller then falls back to a text broadcast frame.
 */
export function encodeBinary(message: {
  topic: string
  userEvent: string
  meta: Record<string, unknown> | null
  payload: unknown
  binary: boolean
}): Buffer | null {
  const topic = Buffer.from(message.topic)
  const event = Buffer.from(message.userEvent)
  const meta = Buffer.from(message.meta ? JSON.stringify(message.meta) : '')
  if (topic.length > 255 || event.length > 255 || meta.length > 255) return null
  const body = message.binary
    ? Buffer.from(message.payload as Uint8Array)
    : Buffer.from(JSON.stringify(message.payload ?? null))
  const header = Buffer.from([
    KIND_USER_BROADCAST,
    topic.length,
    event.length,
    meta.length,
    message.binary ? 0 : 1,
  ])
  return Buffer.concat([header, topic, event, meta, body])
}
