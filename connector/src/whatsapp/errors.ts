/** Errors raised by WhatsApp adapters. Each carries a stable code and the next step. */
import { CodedError } from '../shared/coded-error.ts'

export class TransportError extends CodedError {}

interface RetryOptions {
  retryable: boolean
  hint: string
  cause?: unknown
}

/** A failure that says whether a new attempt can help. */
abstract class RetryableTransportError extends TransportError {
  readonly retryable: boolean
  constructor(code: string, message: string, { retryable, hint, cause }: RetryOptions) {
    super(code, message, hint, cause === undefined ? undefined : { cause })
    this.retryable = retryable
  }
}

/** A send that did not reach WhatsApp. `retryable` decides between a new attempt and `failed`. */
export class SendError extends RetryableTransportError {}

/** A media file that could not be read from WhatsApp. `retryable` false: refused for good (too large, gone). */
export class MediaError extends RetryableTransportError {
  constructor(
    code: 'too_large' | 'media_gone' | 'not_ready' | 'download_failed',
    message: string,
    options: RetryOptions,
  ) {
    super(code, message, options)
  }
}

/** The size cap refusal, with the numbers in the message (it becomes the row's media_error). */
export function tooLarge(size: number, maxBytes: number): MediaError {
  const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`
  return new MediaError('too_large', `too_large: ${mb(size)} is over the ${mb(maxBytes)} limit`, {
    retryable: false,
    hint: 'Raise MEDIA_MAX_MB / MEDIA_DOCUMENT_MAX_MB to accept larger files',
  })
}
