import type { Context } from 'hono'
import { notSingle } from './errors.ts'
import { contentType, type Media } from './media.ts'

/** One row from a statement in statements.ts / rpc.ts. */
export interface ResultRow {
  body?: string | null
  first?: string | null
  n: number
  total?: number
  /** Net rows an upsert inserted (PostgREST's `pgrst.inserted`). */
  inserted?: number | null
}

export interface RestResponse {
  status: number
  body: string | null
  headers: Record<string, string>
}

/**
 * PostgREST's Content-Range (RangeQuery.hs `contentRangeH`): `lower-upper/total`, with `*` for
 * an empty range or an unknown total.
 */
export function contentRange(lower: number, upper: number, total: number | undefined): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*'
  return `${range}/${total ?? '*'}`
}

/**
 * PostgREST's `Content-Location` for reads: `/<table>` and the query string with its parameters
 * sorted by name, same-named ones joined by commas, everything but `A-Za-z0-9-_.~` percent-encoded
 * (`qsCanonical`, Network.HTTP's urlEncodeVars).
 */
export function contentLocation(table: string, params: URLSearchParams): string {
  const encode = (text: string) =>
    encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  const merged = new Map<string, string[]>()
  for (const [key, value] of [...params].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    merged.set(key, [...(merged.get(key) ?? []), encode(value)])
  }
  const query = [...merged].map(([key, values]) => `${encode(key)}=${values.join(',')}`).join('&')
  return `/${table}${query === '' ? '' : `?${query}`}`
}

/** `.single()` needs exactly one row; thrown inside the transaction, so a write is rolled back (PGRST116). */
export function checkSingle(row: ResultRow, media: Media): void {
  if (media.single && row.n !== 1) throw notSingle(row.n)
}

/** The answer to a read or a function call: 200, or 206 when fewer rows than counted, or 416. */
export function rowsResponse(row: ResultRow, media: Media, offset = 0, total?: number): RestResponse {
  const headers = {
    'Content-Range': contentRange(offset, offset + row.n - 1, total),
    'Content-Type': contentType(media),
  }
  if (total !== undefined && offset > total) {
    // Not thrown: like PostgREST, the transaction still commits (a function's writes are kept).
    const body = {
      code: 'PGRST103',
      details: `An offset of ${offset} was requested, but there are only ${total} rows.`,
      hint: null,
      message: 'Requested range not satisfiable',
    }
    return { status: 416, body: JSON.stringify(body), headers }
  }
  const status = total !== undefined && row.n < total ? 206 : 200
  return { status, body: media.single ? (row.first ?? 'null') : (row.body ?? '[]'), headers }
}

/** A write's answer (Response.hs): the rows with return=representation, else an empty body. */
export function writeResponse(
  row: ResultRow,
  representation: boolean,
  media: Media,
  status: { full: number; minimal: number; range: string },
): RestResponse {
  const headers: Record<string, string> = { 'Content-Range': status.range }
  if (!representation) return { status: status.minimal, body: null, headers }
  headers['Content-Type'] = contentType(media)
  return { status: status.full, body: media.single ? (row.first ?? 'null') : (row.body ?? '[]'), headers }
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
