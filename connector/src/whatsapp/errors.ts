/** Errors raised by WhatsApp adapters. Each carries a stable code and the next step. */
export class TransportError extends Error {
  readonly code: string
  readonly hint: string
  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TransportError'
    this.code = code
    this.hint = hint
  }
}

/** A send that did not reach WhatsApp. `retryable` decides between a new attempt and `failed`. */
export class SendError extends TransportError {
  readonly retryable: boolean
  constructor(
    code: string,
    message: string,
    { retryable, hint, cause }: { retryable: boolean; hint: string; cause?: unknown },
  ) {
    super(code, message, hint, cause === undefined ? undefined : { cause })
    this.name = 'SendError'
    this.retryable = retryable
  }
}

/** A media file that could not be read from WhatsApp. `retryable` false: refused for good (too large, gone). */
export class MediaError extends TransportError {
  readonly retryable: boolean
  constructor(
    code: 'too_large' | 'media_gone' | 'not_ready' | 'download_failed',
    message: string,
    { retryable, hint, cause }: { retryable: boolean; hint: string; cause?: unknown },
  ) {
    super(code, message, hint, cause === undefined ? undefined : { cause })
    this.name = 'MediaError'
    this.retryable = retryable
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
