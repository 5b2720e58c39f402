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
