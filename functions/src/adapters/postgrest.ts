/**
 * @module
 * PostgREST results to values or `StoreError`s (DETAIL carries Relevo's stable SQL error code).
 */
import type { PostgrestError } from '@supabase/supabase-js'
import { StoreError } from '../shared/errors.ts'

export function check<T>(what: string, result: { data: T; error: PostgrestError | null }): T {
  if (result.error) {
    // PT4xx from Relevo's SQL functions: DETAIL is the stable code (team rules).
    const code =
      result.error.details && /^[a-z_]+$/.test(result.error.details) ? result.error.details : 'db_error'
    throw new StoreError(code, `${what} failed: ${result.error.message}`, {
      status: 502,
      hint: result.error.hint ?? 'Check that Supabase is reachable and migrations are applied',
      cause: result.error,
    })
  }
  return result.data
}

/** A list query's rows (PostgREST gives an array whenever there is no error). */
export function rows<T>(what: string, result: { data: T[] | null; error: PostgrestError | null }): T[] {
  return check(what, result) ?? []
}
