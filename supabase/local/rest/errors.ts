/**
 * PostgREST's error body and HTTP status mapping (PostgREST's
 * `src/PostgREST/Error.hs`). postgrest-js hands the body to callers unchanged, so the
 * shape `{code, details, hint, message}` and the status are part of the contract.
 */
export interface PostgrestErrorBody {
  code: string
  /** A string, or for PGRST201 the list of candidate relationships. */
  details: string | null | Record<string, string>[]
  hint: string | null
  message: string
}

/** An expected failure of a REST request; the server's one error handler renders it. */
export class PostgrestError extends Error {
  constructor(
    readonly status: number,
    readonly body: PostgrestErrorBody,
    options?: ErrorOptions,
  ) {
    super(body.message, options)
  }
}

/** A request the stand-in cannot parse: 400 PGRST100, never a 500. */
export function badRequest(message: string, details: string | null = null): PostgrestError {
  return new PostgrestError(400, { code: 'PGRST100', details, hint: null, message })
}

/**
 * A PostgREST feature the stand-in does not have: 400 with PostgREST's "not implemented" code
 * (PGRST127), so a request is refused instead of answered differently from PostgREST.
 */
export function notSupported(feature: string, details: string | null = null): PostgrestError {
  return new PostgrestError(400, {
    code: 'PGRST127',
    details,
    hint: null,
    message: `${feature} is not supported by the local stand-in`,
  })
}

export function tableNotFound(schema: string, table: string): PostgrestError {
  return new PostgrestError(404, {
    code: 'PGRST205',
    details: null,
    hint: null,
    message: `Could not find the table '${schema}.${table}' in the schema cache`,
  })
}

export function columnNotFound(column: string, table: string): PostgrestError {
  return new PostgrestError(400, {
    code: 'PGRST204',
    details: null,
    hint: null,
    message: `Could not find the '${column}' column of '${table}' in the schema cache`,
  })
}

/** `.single()` got 0 or several rows (PostgREST ≥ 13 wording). */
export function notSingle(rows: number): PostgrestError {
  return new PostgrestError(406, {
    code: 'PGRST116',
    details: `The result contains ${rows} rows`,
    hint: null,
    message: 'Cannot coerce the result to a single JSON object',
  })
}

interface DatabaseErrorLike {
  code: string
  message: string
  detail?: string | undefined
  hint?: string | undefined
}

export function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
}

/** Turns a Postgres error into PostgREST's response; `anonymous` decides 401 vs 403 for 42501. */
export function fromDatabaseError(error: DatabaseErrorLike, anonymous: boolean): PostgrestError {
  const body: PostgrestErrorBody = {
    code: error.code,
    details: error.detail ?? null,
    hint: error.hint ?? null,
    message: error.message,
  }
  return new PostgrestError(statusFor(error.code, error.message, anonymous), body, { cause: error })
}

// The table in PostgREST's Error.hs (`pgErrorStatus`), in its order; the default is 400.
function statusFor(code: string, message: string, anonymous: boolean): number {
  const exact: Record<string, number> = {
    '23503': 409,
    '23505': 409,
    '25006': 405,
    '53400': 500,
    '57P01': 503,
    P0001: 400,
    '42883': 404,
    '42P01': 404,
    '42P17': 500,
  }
  if (code === '42501') return anonymous ? 401 : 403
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500
  const custom = /^PT(\d{3})$/.exec(code)
  if (custom) return Number(custom[1])
  if (exact[code] !== undefined) return exact[code]
  const byClass: Record<string, number> = {
    '08': 503,
    '09': 500,
    '0L': 403,
    '0P': 403,
    '25': 500,
    '28': 403,
    '2D': 500,
    '38': 500,
    '39': 500,
    '3B': 500,
    '40': 500,
    '53': 503,
    '54': 500,
    '55': 500,
    '57': 500,
    '58': 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  }
  return byClass[code.slice(0, 2)] ?? 400
}
