/**
 * @module
 * The ports the AI needs to hear and see (ADR 081, 082): the `media` bucket of Storage (read a
 * customer's file, store the image a reply carries) and a speech-to-text model.
 */
import { RelevoError, type RelevoErrorOptions } from '../shared/errors.ts'

export interface MediaFiles {
  /** A file of the `media` bucket, read with the service role. */
  download(path: string): Promise<Uint8Array>
  /** Stores a file in the `media` bucket (upsert). */
  upload(path: string, bytes: Uint8Array, contentType: string): Promise<void>
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
    super(code, message, { status: 502, hint: 'The AI answered without the file; check Storage or the model server', ...options })
  }
}
