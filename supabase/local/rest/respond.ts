import { notSingle } from './errors.ts'

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
  options: { single: boolean; count: boolean; offset?: number; status: number },
): RestResponse {
  if (options.single && row.n !== 1) throw notSingle(row.n)
  const total = options.count ? String(row.total ?? row.n) : '*'
  const first = options.offset ?? 0
  const range = row.n === 0 ? `*/${total}` : `${first}-${first + row.n - 1}/${total}`
  // A counted read that returns only part of the rows is 206 Partial Content.
  const partial = options.status === 200 && options.count && row.total !== undefined && row.n < row.total
  return {
    status: partial ? 206 : options.status,
    body: options.single ? (row.first ?? 'null') : (row.body ?? '[]'),
    headers: { 'Content-Range': range, 'Content-Type': contentType(options.single) },
  }
}

export function contentType(single: boolean): string {
  return single ? 'application/vnd.pgrst.object+json; charset=utf-8' : 'application/json; charset=utf-8'
}
