import type { Embedding } from './embed.ts'
import { badRequest, columnNotFound, PostgrestError } from './errors.ts'
import type { RestQuery } from './request.ts'
import type { TableInfo } from './schema-cache.ts'
import { ident, orderSql, Params, pageSql, qualified, selectListSql, T, whereSql } from './sql.ts'

/**
 * SQL for the table endpoints. Each statement yields one row: `body` (the JSON array as
 * Postgres prints it, so PGlite and Postgres answer byte for byte alike), `first` (the first
 * element, for `.single()`), `n` (rows in the body) and, when asked, `total`.
 */
export interface Statement {
  text: string
  params: unknown[]
}

const AGGREGATE = `coalesce(json_agg(_r), '[]')::text as body, (json_agg(_r) -> 0)::text as first, count(*)::int as n`

/**
 * `from` is a FROM clause that names its row source `_t`; `params` already holds its values.
 * `embedding` renders embedded resources (table sources only).
 */
export function readStatement(
  from: string,
  query: RestQuery,
  count: boolean,
  params = new Params(),
  embedding?: Embedding,
): Statement {
  const inner = embedding?.innerJoins(query.select, T, params) ?? []
  const where = whereSql(query.conditions, params, T, inner)
  const page = orderSql(query.order, params) + pageSql(query.limit, query.offset, params)
  const select = selectListSql(query.select, params, T, embedding?.render)
  const rows = `select ${select} from ${from}${where}${page}`
  const total = count ? `, (select count(*) from ${from}${where})::int as total` : ''
  return { text: `select ${AGGREGATE}${total} from (${rows}) as _r`, params: params.values }
}

export interface WriteOptions {
  schema: string
  table: TableInfo
  query: RestQuery
  /** Return the written rows (Prefer: return=representation or .single()). */
  representation: boolean
  embedding?: Embedding
}

/** Wraps a data-modifying statement so it returns rows shaped by `select=`, or only a count. */
function withReturning(write: string, options: WriteOptions, params: Params): Statement {
  if (!options.representation) {
    // No RETURNING: like PostgREST with return=minimal, so RLS SELECT policies are not applied.
    return {
      text: `with _m as (${write} returning 1) select count(*)::int as n from _m`,
      params: params.values,
    }
  }
  const select = selectListSql(options.query.select, params, T, options.embedding?.render)
  // `order` sorts the returned representation, as it does on PostgREST.
  const order = orderSql(options.query.order, params)
  return {
    text: `with _m as (${write} returning ${T}.*) select ${AGGREGATE} from (select ${select} from _m as ${T}${order}) as _r`,
    params: params.values,
  }
}

export function insertStatement(
  body: Record<string, unknown>[],
  options: WriteOptions & { resolution?: 'merge-duplicates' | 'ignore-duplicates' },
): Statement {
  const { schema, table, query } = options
  if (query.limit !== undefined || query.offset !== undefined) {
    throw badRequest('limit and offset on INSERT are not supported by the local stand-in')
  }
  // An empty array inserts nothing (not one row of defaults).
  if (body.length === 0) return emptyResult(options.representation)
  const keys = query.columns ?? [...new Set(body.flatMap((row) => Object.keys(row)))]
  for (const key of keys) if (!table.columns.includes(key)) throw columnNotFound(key, table.name)
  const params = new Params()
  const target = qualified(schema, table.name)
  const list = keys.map(ident).join(', ')
  const rows = `json_populate_recordset(null::${target}, ${params.add(JSON.stringify(body))}::json)`
  const source = keys.length === 0 ? 'default values' : `(${list}) select ${list} from ${rows}`
  if (keys.length === 0 && body.length > 1)
    throw badRequest('Several rows without any column cannot be inserted')
  let write = `insert into ${target} as ${T} ${source}`
  if (options.resolution) write += conflictSql(table, query, keys, options.resolution)
  return withReturning(write, options, params)
}

function conflictSql(table: TableInfo, query: RestQuery, keys: string[], resolution: string): string {
  const target = query.onConflict ?? table.primaryKey
  if (target.length === 0) {
    throw new PostgrestError(400, {
      code: 'PGRST100',
      details: `Table "${table.name}" has no primary key`,
      hint: 'Pass on_conflict with the columns of a unique constraint',
      message: 'Upsert needs a conflict target',
    })
  }
  for (const column of target) if (!table.columns.includes(column)) throw columnNotFound(column, table.name)
  const conflict = ` on conflict (${target.map(ident).join(', ')})`
  if (resolution === 'ignore-duplicates' || keys.length === 0) return `${conflict} do nothing`
  return `${conflict} do update set ${keys.map((key) => `${ident(key)} = excluded.${ident(key)}`).join(', ')}`
}

export function updateStatement(patch: Record<string, unknown>, options: WriteOptions): Statement {
  const { schema, table, query } = options
  const keys = Object.keys(patch)
  for (const key of keys) if (!table.columns.includes(key)) throw columnNotFound(key, table.name)
  requireWhere('UPDATE', query)
  // An empty PATCH changes nothing; PostgREST answers it without touching rows too.
  if (keys.length === 0) return emptyResult(options.representation)
  const params = new Params()
  const target = qualified(schema, table.name)
  const values = `json_populate_record(null::${target}, ${params.add(JSON.stringify(patch))}::json)`
  const set = keys.map((key) => `${ident(key)} = _v.${ident(key)}`).join(', ')
  const write = `update ${target} as ${T} set ${set} from ${values} as _v${whereSql(query.conditions, params)}`
  return withReturning(write, options, params)
}

export function deleteStatement(options: WriteOptions): Statement {
  const { schema, table, query } = options
  requireWhere('DELETE', query)
  const params = new Params()
  const write = `delete from ${qualified(schema, table.name)} as ${T}${whereSql(query.conditions, params)}`
  return withReturning(write, options, params)
}

function emptyResult(representation: boolean): Statement {
  return {
    text: representation ? `select '[]'::text as body, null::text as first, 0 as n` : 'select 0 as n',
    params: [],
  }
}

// Supabase preloads pg-safeupdate for the API role: an unfiltered UPDATE/DELETE is refused.
function requireWhere(command: 'UPDATE' | 'DELETE', query: RestQuery): void {
  if (query.conditions.length === 0) {
    throw new PostgrestError(400, {
      code: '21000',
      details: null,
      hint: null,
      message: `${command} requires a WHERE clause`,
    })
  }
  if (query.limit !== undefined || query.offset !== undefined) {
    throw badRequest(`limit and offset on ${command} are not supported by the local stand-in`)
  }
}
