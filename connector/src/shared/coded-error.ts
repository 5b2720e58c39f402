/**
 * @module
 * The base of the connector's errors: besides the message and the cause, a stable `code` a
 * caller can switch on and a `hint` (the next step). `name` is the class's own, so a log line
 * says which failure it was without each subclass repeating it.
 */
export class CodedError extends Error {
  readonly code: string
  readonly hint: string
  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    this.hint = hint
  }
}
