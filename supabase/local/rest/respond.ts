import type { Context } from 'hono'
import { notSingle, PostgrestError } from './errors.ts'
import type { Preferences } from './request.ts'

/** One row from a statement in statements.ts / rpc.ts. */
export interface ResultRow {
  body?: string | null
  first?: string | null
  n: number
  total?: number
}

export interface RestResponse {
  status: number
  body: string | null
  headers: Record<string, string>
}

/**
 * The body and Content-Range PostgREST sends for rows. Runs inside the transaction so that
 * a failed `.single()` (PGRST116) rolls the write back, as PostgREST does.
 */
export function rowsResponse(
  row: ResultRow,
  options: { single: boolean; count: boolean; offset?: number; limit?: number; status: number },
): RestResponse {
  if (options.single && row.n !== 1) throw notSingle(row.n)
  const total = options.count ? String(row.total ?? row.n) : '*'
  const first = options.offset ?? 0
  const range = row.n === 0 ? `*/${total}` : `${first}-${first + row.n - 1}/${total}`
  // PostgREST's rangeStatus: 206 when the requested window is smaller than the counted total.
  const window = options.limit === undefined ? Number.POSITIVE_INFINITY : options.limit
  const partial = options.status === 200 && row.total !== undefined && window < row.total
  return {
    status: partial ? 206 : options.status,
    body: options.single ? (row.first ?? 'null') : (row.body ?? '[]'),
    headers: { 'Content-Range': range, 'Content-Type': contentType(options.single) },
  }
}

export function contentType(single: boolean): string {
  return single ? 'application/vnd.pgrst.object+json; charset=utf-8' : 'application/json; charset=utf-8'
}

/** The answer to a write: the rows with return=representation, else an empty 201/204. */
export function write(
  row: ResultRow,
  representation: boolean,
  single: boolean,
  prefer: Preferences,
  status: number,
): RestResponse {
  const count = prefer.count
  // Thrown inside the transaction, so the write is rolled back (PGRST124).
  if (prefer.maxAffected !== undefined && row.n > prefer.maxAffected) {
    throw new PostgrestError(400, {
      code: 'PGRST124',
      details: `The query affects ${row.n} rows`,
      hint: null,
      message: 'Query result exceeds max-affected preference constraint',
    })
  }
  if (representation) return rowsResponse(row, { single, count, status })
  const range = count ? `*/${row.n}` : '*/*'
  // Minimal return: 201 for inserts, 204 for updates and deletes, with no body.
  return { status: status === 201 ? 201 : 204, body: null, headers: { 'Content-Range': range } }
}

export function invalidBody(message: string): PostgrestError {
  return new PostgrestError(400, { code: 'PGRST102', details: null, hint: null, message })
}

export function rangeNotSatisfiable(offset: number, total: number): PostgrestError {
  return new PostgrestError(416, {
    code: 'PGRST103',
    details: `An offset of ${offset} was requested, but there are only ${total} rows.`,
    hint: null,
    message: 'Requested range not satisfiable',
  })
}

/**
 * Transaction settings PostgREST adds besides role and claims: the search path with Supabase's
 * extra `extensions` schema, the request's method, path and headers, and UTC like Supabase's
 * databases so that both backends print timestamps alike.
 */
export function requestSettings(c: Context): Record<string, string> {
  const headers: Record<string, string> = {}
  c.req.raw.headers.forEach((value, name) => {
    headers[name] = value
  })
  return {
    search_path: 'public, extensions',
    TimeZone: 'UTC',
    'request.method': c.req.method,
    'request.path': c.req.path.replace(/^\/rest\/v1/, ''),
    'request.headers': JSON.stringify(headers),
  }
}
