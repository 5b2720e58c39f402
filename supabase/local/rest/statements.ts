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

/** The rows of `_r` as JSON; `strip` drops null-valued keys, as `Accept: …;nulls=stripped` asks. */
export function aggregateSql(strip: boolean): string {
  const agg = strip ? 'json_strip_nulls(json_agg(_r))' : 'json_agg(_r)'
  return `coalesce(${agg}, '[]')::text as body, (${agg} -> 0)::text as first, count(*)::int as n`
}

/** How a read counts: `exact`, or `limited` to one more than max-rows (PostgREST's estimated count). */
export interface ReadOptions {
  count?: 'exact' | 'limited' | undefined
  maxRows: number
  strip: boolean
}

/**
 * `from` is a FROM clause that names its row source `_t`; `params` already holds its values.
 * `embedding` renders embedded resources (table sources only).
 */
export function readStatement(
  from: string,
  query: RestQuery,
  options: ReadOptions,
  params = new Params(),
  embedding?: Embedding,
): Statement {
  const where = filterSql(query, params, embedding)
  // Supabase's max-rows caps every top-level read (PostgREST's restrictRange).
  const limit = Math.min(query.limit ?? options.maxRows, options.maxRows)
  const page = orderSql(query.order, params) + pageSql(limit, query.offset, params)
  const select = selectListSql(query.select, params, T, embedding?.render)
  const rows = `select ${select} from ${from}${where}${page}`
  const counted = options.count === 'limited' ? ` limit ${options.maxRows + 1}` : ''
  const total = options.count
    ? `, (select count(*) from (select 1 from ${from}${where}${counted}) as _c)::int as total`
    : ''
  return { text: `select ${aggregateSql(options.strip)}${total} from (${rows}) as _r`, params: params.values }
}

/** The planner's row estimate for a read (PostgREST's planned count), read from `Plan Rows`. */
export function explainStatement(from: string, query: RestQuery, embedding?: Embedding): Statement {
  const params = new Params()
  const where = filterSql(query, params, embedding)
  return { text: `explain (format json) select 1 from ${from}${where}`, params: params.values }
}

function filterSql(query: RestQuery, params: Params, embedding?: Embedding): string {
  const inner = embedding?.innerJoins(query.select, T, params) ?? []
  return whereSql(query.conditions, params, T, inner)
}

export interface WriteOptions {
  schema: string
  table: TableInfo
  query: RestQuery
  /** Return the written rows (Prefer: return=representation). */
  representation: boolean
  strip: boolean
  embedding?: Embedding
}

/** Wraps a data-modifying statement so it returns rows shaped by `select=`, or only a count. */
function withReturning(write: string, options: WriteOptions, params: Params, upsert = false): Statement {
  // An upsert counts the rows it inserted in `pgrst.inserted` (see upsertCountSql).
  const inserted = upsert ? `, nullif(current_setting('pgrst.inserted', true), '')::int as inserted` : ''
  if (!options.representation) {
    // No RETURNING: like PostgREST with return=minimal, so RLS SELECT policies are not applied.
    return {
      text: `with _m as (${write} returning 1) select count(*)::int as n${inserted} from _m`,
      params: params.values,
    }
  }
  const select = selectListSql(options.query.select, params, T, options.embedding?.render)
  // `order` sorts the returned representation, as it does on PostgREST.
  const order = orderSql(options.query.order, params)
  return {
    text: `with _m as (${write} returning ${T}.*) select ${aggregateSql(options.strip)}${inserted} from (select ${select} from _m as ${T}${order}) as _r`,
    params: params.values,
  }
}

/**
 * PostgREST's own bookkeeping for `resolution=merge-duplicates`: +1 per row offered, −1 per row
 * the conflict turned into an update. The net number of inserted rows decides 201 versus 200.
 */
function upsertCountSql(add: boolean): string {
  const [sign, guard] = add ? ['+', '0'] : ['-', '-1']
  return `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ${sign} 1)::text, true) <> '${guard}'`
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
  if (keys.length === 0) {
    if (body.length > 1) throw badRequest('Several rows without any column cannot be inserted')
    // `{}` inserts one row of defaults; the body is not a parameter then.
    params.values.pop()
  }
  const merge = options.resolution === 'merge-duplicates' && keys.length > 0
  const source =
    keys.length === 0
      ? 'default values'
      : `(${list}) select ${list} from ${rows}${merge ? ` where ${upsertCountSql(true)}` : ''}`
  let write = `insert into ${target} as ${T} ${source}`
  if (options.resolution) write += conflictSql(table, query, keys, options.resolution)
  return withReturning(write, options, params, merge)
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
  const set = keys.map((key) => `${ident(key)} = excluded.${ident(key)}`).join(', ')
  return `${conflict} do update set ${set} where ${upsertCountSql(false)}`
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
