/**
 * @module
 * The ports the AI needs to hear and see (ADR 081, 082): the `media` bucket of Storage (read a
 * customer's file, store the image a reply carries) and a speech-to-text model.
 */
import { RelevoError, type RelevoErrorOptions } from '../shared/errors.ts'

/** The image an AI reply carries, stored, as `enqueue_ai_reply`'s `p_media` takes it (ADR 082). */
export interface ReplyMedia {
  path: string
  mimetype: string
  size: number
  sha256: string
}

/** Why the AI could not hear or see a message: it is told so, and so are the logs. */
export type MediaProblem = 'media_not_stored' | 'media_unavailable' | 'transcription_failed'

/** What the AI heard and saw of the files (pipeline/perceive.ts). */
export interface Perception<M> {
  /** The messages with the transcripts made in this run filled in. */
  messages: M[]
  /** Message id → a `data:` URL of the photo, for the model's image input. */
  images: Map<string, string>
  problems: Map<string, MediaProblem>
}

export interface MediaFiles {
  /** A file of the `media` bucket, read with the service role. */
  download(path: string): Promise<Uint8Array>
  /** Stores a file in the `media` bucket (upsert); a stream is sent as it comes, never held whole. */
  upload(path: string, bytes: Uint8Array | ReadableStream<Uint8Array>, contentType: string): Promise<void>
  /** A URL anyone holding it can read the file at, for `seconds` (Meta fetches sent files by link). */
  signedUrl(path: string, seconds: number): Promise<string>
}

export interface AudioFile {
  bytes: Uint8Array
  mimetype: string
  filename: string
}

export interface Transcriber {
  readonly model: string
  /** The words of a voice note; throws `MediaError` when the server fails (after its retries). */
  transcribe(audio: AudioFile): Promise<string>
}

/** A file could not be read, transcribed or stored: the AI answers without it (never blocks the reply). */
export class MediaError extends RelevoError {
  constructor(code: string, message: string, options: RelevoErrorOptions = {}) {
    super(code, message, {
      status: 502,
      hint: 'The AI answered without the file; check Storage or the model server',
      ...options,
    })
  }
}
