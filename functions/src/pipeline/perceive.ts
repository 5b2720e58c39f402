/**
 * @module
 * What the AI hears and sees of the customer's latest messages (ADR 081, 082), before it decides:
 * voice notes are transcribed (and the transcript stored on the message), photos of the burst are
 * read as data URLs when the model takes images. Nothing here blocks the reply: a file that is not
 * there in time, cannot be read or transcribed is a problem named in the context instead.
 */
import type { Logger } from '../shared/logger.ts'
import { pendingCustomerMessages } from './build-context.ts'
import { MediaError, type MediaFiles, type Perception as MediaPerception, type Transcriber } from './media.ts'
import { MEDIA_BUDGET_MS, withTimeout } from './run-budget.ts'
import type { PipelineStore } from './store.ts'
import type { ChatMessage } from './types.ts'

export type Perception = MediaPerception<ChatMessage>

export interface PerceiveInput {
  messages: ChatMessage[]
  store: Pick<PipelineStore, 'getMessage' | 'saveTranscript'>
  media: MediaFiles
  /** null: no speech-to-text model configured (voice notes are then named, not heard). */
  transcriber: Transcriber | null
  seesImages: boolean
  sleep: (ms: number) => Promise<void>
  now: () => number
  logger: Logger
}

/** Photos larger than this are named, not shown: the request would carry 4/3 of it in base64. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024
/** The newest untranscribed voice notes of the context that one run transcribes. */
const MAX_TRANSCRIPTIONS = 3
const POLL_MS = 250

const isVoice = (m: ChatMessage) => m.type === 'audio' && m.direction === 'in' && !m.deletedAt
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif'])

export async function perceive(input: PerceiveInput): Promise<Perception> {
  const deadline = input.now() + MEDIA_BUDGET_MS
  const burst = pendingCustomerMessages(input.messages)
  const toHear = input.transcriber
    ? input.messages.filter((m) => isVoice(m) && m.transcript === null).slice(-MAX_TRANSCRIPTIONS)
    : []
  const toSee = input.seesImages
    ? burst.filter((m) => m.type === 'image' && IMAGE_TYPES.has(baseType(m.media?.mimetype)))
    : []
  const wanted = [...new Set([...toHear, ...toSee])]
  if (wanted.length === 0) return { messages: input.messages, images: new Map(), problems: new Map() }

  const ready = await waitUntilStored(wanted, deadline, input)
  const perception: Perception = { messages: input.messages, images: new Map(), problems: new Map() }
  const transcripts = new Map<string, string>()
  await Promise.all(
    wanted.map(async (m) => {
      const current = ready.get(m.id)
      if (!current?.media?.path) return perception.problems.set(m.id, 'media_not_stored')
      try {
        if (toSee.includes(m)) {
          const url = await imageDataUrl(current, deadline, input)
          if (url) perception.images.set(m.id, url)
        } else {
          transcripts.set(m.id, await hear(current, deadline, input))
        }
      } catch (error) {
        const problem =
          error instanceof MediaError && error.code === 'transcription_failed'
            ? 'transcription_failed'
            : 'media_unavailable'
        perception.problems.set(m.id, problem)
        input.logger.warn({ messageId: m.id, problem, err: error }, 'the AI answers without this file')
      }
    }),
  )
  perception.messages = input.messages.map((m) =>
    transcripts.has(m.id) ? { ...m, transcript: transcripts.get(m.id) ?? null } : m,
  )
  return perception
}

/** The rows of the wanted messages once their files are stored, polled until the deadline (ADR 085: the file follows the row). */
async function waitUntilStored(
  wanted: ChatMessage[],
  deadline: number,
  input: PerceiveInput,
): Promise<Map<string, ChatMessage>> {
  const rows = new Map(wanted.map((m) => [m.id, m]))
  for (;;) {
    const waiting = [...rows.values()].filter((m) => m.mediaStatus === 'pending')
    if (waiting.length === 0 || input.now() + POLL_MS > deadline) break
    await input.sleep(POLL_MS)
    for (const m of waiting) {
      const row = await input.store.getMessage(m.id)
      if (row) rows.set(m.id, row)
    }
  }
  return new Map([...rows].filter(([, m]) => m.mediaStatus === 'stored'))
}

async function hear(m: ChatMessage, deadline: number, input: PerceiveInput): Promise<string> {
  const transcriber = input.transcriber as Transcriber
  const bytes = await read(m, deadline, input)
  const text = await withTimeout(
    transcriber.transcribe({
      bytes,
      mimetype: baseType(m.media?.mimetype) || 'audio/ogg',
      filename: m.media?.path?.split('/').pop() ?? 'voice.ogg',
    }),
    deadline - input.now(),
    'transcription',
  ).catch((error: unknown) => {
    if (error instanceof MediaError) throw error
    throw new MediaError('transcription_failed', 'The voice note could not be transcribed', { cause: error })
  })
  await input.store.saveTranscript(m.id, text)
  return text
}

async function imageDataUrl(m: ChatMessage, deadline: number, input: PerceiveInput): Promise<string | null> {
  if ((m.media?.size ?? 0) > MAX_IMAGE_BYTES) return null
  const bytes = await read(m, deadline, input)
  if (bytes.byteLength > MAX_IMAGE_BYTES) return null
  return `data:${baseType(m.media?.mimetype)};base64,${base64(bytes)}`
}

function read(m: ChatMessage, deadline: number, input: PerceiveInput): Promise<Uint8Array> {
  return withTimeout(input.media.download(m.media?.path ?? ''), deadline - input.now(), 'media download')
}

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
export const baseType = (mimetype: string | undefined) =>
  (mimetype ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

export function base64(bytes: Uint8Array): string {
  let binary = ''
  // In slices: String.fromCharCode with a few MB of arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}
