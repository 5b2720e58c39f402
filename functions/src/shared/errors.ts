/**
 * @module
 * Errors of the functions app. Every expected failure is a `RelevoError`: a stable `code` that
 * clients can switch on, the HTTP status it maps to, a `hint` (the next step) and the `cause`.
 * `index.ts`'s one `onError` turns them into `{code, message, hint}`; anything else is a 500.
 */

export interface RelevoErrorOptions {
  status?: number
  hint?: string
  cause?: unknown
}

export class RelevoError extends Error {
  readonly code: string
  readonly status: number
  readonly hint: string | undefined

  constructor(code: string, message: string, options: RelevoErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.status = options.status ?? 500
    this.hint = options.hint
  }
}

/** Bad input from a caller (400), with the zod issue summary as message. */
export class InputError extends RelevoError {
  constructor(code: string, message: string, options: Omit<RelevoErrorOptions, 'status'> = {}) {
    super(code, message, { ...options, status: 400 })
  }
}

/** Missing or wrong credentials (401) or a caller without the right role (403). */
export class AuthError extends RelevoError {}

/** The database (Supabase REST/RPC) refused or failed. Carries the SQL DETAIL code when there is one. */
export class StoreError extends RelevoError {}

/** Deployment is missing a setting or secret: never the caller's fault. */
export class ConfigError extends RelevoError {
  constructor(message: string, hint: string) {
    super('config_invalid', message, { status: 500, hint })
  }
}
