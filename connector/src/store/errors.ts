/**
 * Store errors. `StoreUnavailableError` means "the database could not be reached or is
 * failing" (network error, timeout, 5xx): the caller buffers or retries later.
 * `StoreRejectedError` means the database answered and said no (4xx from a Relevo SQL
 * function, with its stable DETAIL code): retrying the same call will not help.
 */
import { CodedError } from '../shared/coded-error.ts'

export class StoreError extends CodedError {}

export class StoreUnavailableError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      'store_unavailable',
      message,
      'Check SUPABASE_URL and that Supabase is up; the connector retries',
      options,
    )
  }
}

export class StoreRejectedError extends StoreError {
  readonly status: number
  constructor(status: number, code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(code, message, hint, options)
    this.status = status
  }
}
