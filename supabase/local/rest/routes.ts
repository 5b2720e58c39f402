import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import type { Database, Queryable } from '../../src/db/index.ts'
import { asRole } from '../as-role.ts'
import type { StandInEnv } from '../context.ts'
import type { Claims } from '../keys.ts'
import { insertRows, invalidBody, isObject, readJsonBody } from './body.ts'
import { embedding, resolveEmbeds } from './embed.ts'
import {
  badRequest,
  fromDatabaseError,
  isDatabaseError,
  notSupported,
  PostgrestError,
  tableNotFound,
} from './errors.ts'
import { type Media, negotiate } from './media.ts'
import {
  type Action,
  type CountKind,
  checkMaxAffected,
  type Preferences,
  parsePrefer,
  preferenceApplied,
  type TxEnd,
} from './prefer.ts'
import { parseQuery, profileSchema } from './request.ts'
import {
  checkSingle,
  contentLocation,
  contentRange,
  type RestResponse,
  type ResultRow,
  requestSettings,
  rowsResponse,
  writeResponse,
} from './respond.ts'
import { resolveFunction, rpcStatement } from './rpc.ts'
import type { SchemaCache } from './schema-cache.ts'
import { qualified, T } from './sql.ts'
import {
  deleteStatement,
  explainStatement,
  insertStatement,
  type ReadOptions,
  readStatement,
  type Statement,
  updateStatement,
} from './statements.ts'

export interface RestOptions {
  db: Database
  cache: SchemaCache
  logger: Logger
  /** Schemas PostgREST exposes (`db-schemas`); Supabase's default is public. */
  schemas: readonly string[]
  /** PostgREST's `db-max-rows`: the most rows one read returns; Supabase's default is 1000. */
  maxRows: number
  /** PostgREST's `db-tx-end`: whether `Prefer: tx=rollback` may roll a request back. */
  txEnd: TxEnd
}

type Ctx = Context<StandInEnv>

/** A response computed inside a transaction that `Prefer: tx=rollback` then rolls back. */
class RolledBack extends Error {
  constructor(readonly response: RestResponse) {
    super('rolled back on request')
  }
}

/** `/rest/v1`: the PostgREST subset supabase-js 2.119 uses (see the supported/refused table in supabase/local/README.md). */
export function restRoutes(options: RestOptions): Hono<StandInEnv> {
  const app = new Hono<StandInEnv>()
  const { cache, maxRows } = options

  // Run as the request's role in one transaction; Postgres errors become PostgREST's.
  async function run(
    c: Ctx,
    prefs: Preferences,
    applied: Record<string, string>,
    respond: (tx: Queryable) => Promise<RestResponse>,
  ): Promise<Response> {
    const claims: Claims = c.get('claims')
    const result = await asRole(
      options.db,
      claims,
      async (tx) => {
        const response = await respond(tx)
        if (prefs.tx !== 'rollback') return response
        // As PostgREST: deferred constraints are checked before the rollback, so they still fail.
        await tx.query('set constraints all immediate')
        throw new RolledBack(response)
      },
      requestSettings(c),
    ).catch((error: unknown) => {
      if (error instanceof RolledBack) return error.response
      throw isDatabaseError(error) ? fromDatabaseError(error, claims.role === 'anon') : error
    })
    const body = c.req.method === 'HEAD' ? null : result.body
    // A schema asked for by profile header is named back wherever a Content-Type is sent (Response.hs).
    const profile = c.req.header(
      c.req.method === 'GET' || c.req.method === 'HEAD' ? 'Accept-Profile' : 'Content-Profile',
    )
    const named: Record<string, string> =
      profile && result.headers['Content-Type'] ? { 'Content-Profile': profile.trim() } : {}
    return new Response(body, { status: result.status, headers: { ...result.headers, ...named, ...applied } })
  }

  async function first(tx: Queryable, statement: Statement): Promise<ResultRow> {
    const { rows } = await tx.query<ResultRow>(statement.text, statement.params)
    return rows[0] ?? { n: 0 }
  }

  // The table, the parsed query with its embeds resolved over foreign keys, and how to render them.
  async function tableRequest(c: Ctx, header: string) {
    const schema = profileSchema(c.req.header(header), options.schemas)
    const name = c.req.param('table') ?? ''
    const table = await cache.table(schema, name)
    if (!table) throw tableNotFound(schema, name)
    const parsed = parseQuery(new URL(c.req.url).searchParams)
    const select = await resolveEmbeds(cache, schema, table.name, parsed.select, parsed.embedded)
    const embeds = new Set(select.flatMap((item) => (item.kind === 'embed' ? [item.alias ?? item.name] : [])))
    if (
      parsed.conditions.some(
        (c) => c.kind === 'filter' && c.column.path.length === 0 && embeds.has(c.column.name),
      )
    ) {
      throw notSupported(
        'Filtering on whether an embedded resource is null (`embed=not.is.null`)',
        'Use !inner on the embed instead.',
      )
    }
    const query = { ...parsed, select }
    const prefs = parsePrefer(c.req.header('Prefer'), options.txEnd)
    const media = negotiate(c.req.header('Accept'))
    return { schema, table, query, prefs, media, embedding: embedding(schema) }
  }

  const readOptions = (count: CountKind | undefined, media: Media): ReadOptions => ({
    count: count === 'exact' ? 'exact' : count === 'estimated' ? 'limited' : undefined,
    maxRows,
    strip: media.strip,
  })

  const read = async (c: Ctx) => {
    const { schema, table, query, prefs, media, embedding: render } = await tableRequest(c, 'Accept-Profile')
    const from = `${qualified(schema, table.name)} as ${T}`
    const statement = readStatement(from, query, readOptions(prefs.count, media), undefined, render)
    // Planned and estimated counts ask the planner, as PostgREST does (EXPLAIN's Plan Rows).
    const explain =
      prefs.count === 'exact' || !prefs.count ? undefined : explainStatement(from, query, embedding(schema))
    return run(c, prefs, preferenceApplied(prefs, 'read'), async (tx) => {
      const row = await first(tx, statement)
      checkSingle(row, media)
      let total = row.total
      if (explain) {
        const planned = await plannedRows(tx, explain)
        // Estimated: exact up to max-rows, beyond that the larger of the two.
        total =
          prefs.count === 'planned'
            ? planned
            : total !== undefined && total > maxRows
              ? Math.max(total, planned)
              : total
      }
      const response = rowsResponse(row, media, query.offset, total)
      response.headers['Content-Location'] = contentLocation(table.name, new URL(c.req.url).searchParams)
      return response
    })
  }
  app.on(['GET', 'HEAD'], '/:table', read)

  app.post('/:table', async (c) => {
    const { schema, table, query, prefs, media, embedding } = await tableRequest(c, 'Content-Profile')
    const rows = insertRows(await readJsonBody(c, false), query.columns !== undefined)
    if (prefs.missing === 'default' && (rows.length > 1 || query.columns)) {
      throw notSupported(
        'Prefer: missing=default on bulk inserts',
        'Leave the column out of every row instead.',
      )
    }
    const representation = prefs.return === 'representation'
    const statement = insertStatement(rows, {
      schema,
      table,
      query,
      representation,
      strip: media.strip,
      embedding,
      ...(prefs.resolution ? { resolution: prefs.resolution } : {}),
    })
    const merge = prefs.resolution === 'merge-duplicates'
    const resolutionApplies = table.primaryKey.length > 0 || query.onConflict !== undefined
    return run(c, prefs, preferenceApplied(prefs, 'insert', resolutionApplies), async (tx) => {
      const row = await first(tx, statement)
      checkSingle(row, media)
      // PostgREST answers 200 when an upsert (merge-duplicates) inserted no new row.
      const noneInserted = merge && rows.some((r) => Object.keys(r).length > 0) && !((row.inserted ?? 0) > 0)
      const status = noneInserted || (merge && rows.length === 0) ? 200 : 201
      const range = contentRange(
        1,
        0,
        prefs.count === 'exact' || prefs.count === 'estimated' ? row.n : undefined,
      )
      return writeResponse(row, representation, media, { full: status, minimal: status, range })
    })
  })

  // Update and delete: 200 with the rows, else 204; max-affected is checked before commit.
  const change = (action: 'update' | 'delete') => async (c: Ctx) => {
    const { schema, table, query, prefs, media, embedding } = await tableRequest(c, 'Content-Profile')
    const representation = prefs.return === 'representation'
    const write = { schema, table, query, representation, strip: media.strip, embedding }
    let statement: Statement
    if (action === 'update') {
      const body = await readJsonBody(c, false)
      if (!isObject(body)) throw invalidBody('Update with a JSON object')
      statement = updateStatement(body, write)
    } else statement = deleteStatement(write)
    return run(c, prefs, preferenceApplied(prefs, action), async (tx) => {
      const row = await first(tx, statement)
      checkSingle(row, media)
      checkMaxAffected(prefs, row.n)
      const total = prefs.count === 'exact' || prefs.count === 'estimated' ? row.n : undefined
      const range = action === 'update' ? contentRange(0, row.n - 1, total) : contentRange(1, 0, total)
      return writeResponse(row, representation, media, { full: 200, minimal: 204, range })
    })
  }
  app.patch('/:table', change('update'))
  app.delete('/:table', change('delete'))

  const rpc = async (c: Ctx) => {
    const post = c.req.method === 'POST'
    const schema = profileSchema(c.req.header(post ? 'Content-Profile' : 'Accept-Profile'), options.schemas)
    const name = c.req.param('fn') ?? ''
    const media = negotiate(c.req.header('Accept'))
    const prefs = parsePrefer(c.req.header('Prefer'), options.txEnd)
    const params = new URL(c.req.url).searchParams
    const body: unknown = post ? await readJsonBody(c, true) : null
    // GET: arguments are the query params that name a parameter of some overload of the function.
    const known = post
      ? undefined
      : new Set((await cache.functions(schema, name)).flatMap((f) => f.args.map((a) => a.name)))
    const query = parseQuery(params, known)
    if (Object.keys(query.embedded).length > 0) {
      throw badRequest('Filters on embedded resources are only supported when reading a table')
    }
    const args = post ? body : query.args
    if (!isObject(args) && !Array.isArray(args)) throw invalidBody('RPC arguments must be a JSON object')
    const { fn, wholeBody } = await resolveFunction(
      cache,
      schema,
      name,
      isObject(args) ? Object.keys(args) : [],
      post,
    )
    if (!wholeBody && !isObject(args)) throw invalidBody('RPC arguments must be a JSON object')
    refuseUnsupportedCall(fn.returnsComposite, query, prefs, fn.returnsSet)
    // Estimated counts of a function's rows are exact on PostgREST; planned ones are not counted.
    const count = prefs.count === 'planned' ? undefined : prefs.count
    const call = rpcStatement(schema, fn, args, wholeBody, query, {
      ...readOptions(count, media),
      count: count && 'exact',
    })
    return run(c, prefs, preferenceApplied(prefs, 'rpc' satisfies Action), async (tx) => {
      const row = await first(tx, call.statement)
      checkSingle(row, media)
      checkMaxAffected(prefs, row.n)
      // A function returning one row answers the object itself, as PostgREST's asJsonF does.
      const shaped = call.shape === 'object' ? { ...row, body: row.first ?? 'null' } : row
      const response = rowsResponse(shaped, media, query.offset, row.total)
      if (call.shape !== 'void') return response
      return {
        status: 204,
        body: null,
        headers: { 'Content-Range': response.headers['Content-Range'] ?? '' },
      }
    })
  }
  app.on(['GET', 'HEAD'], '/rpc/:fn', rpc)
  app.post('/rpc/:fn', rpc)

  return app
}

async function plannedRows(tx: Queryable, explain: Statement): Promise<number> {
  const { rows } = await tx.query<{ 'QUERY PLAN': unknown }>(explain.text, explain.params)
  const raw = rows[0]?.['QUERY PLAN']
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[]
  return plan[0]?.Plan?.['Plan Rows'] ?? 0
}

/**
 * Calls the stand-in cannot answer as PostgREST would: max-affected on a function returning one
 * value (PostgREST's own 400 PGRST128), and filters, order or paging on scalar results.
 */
function refuseUnsupportedCall(
  composite: boolean,
  query: ReturnType<typeof parseQuery>,
  prefs: Preferences,
  returnsSet: boolean,
): void {
  if (prefs.handling === 'strict' && prefs.maxAffected !== undefined && !returnsSet) {
    throw new PostgrestError(400, {
      code: 'PGRST128',
      details: null,
      hint: null,
      message:
        'Function must return SETOF or TABLE when max-affected preference is used with handling=strict',
    })
  }
  const shaped =
    query.conditions.length > 0 ||
    query.order.length > 0 ||
    query.limit !== undefined ||
    query.offset !== undefined
  const selected = query.select.some((item) => item.kind !== 'star')
  if (!composite && (shaped || selected)) {
    throw notSupported(
      'Filtering, ordering, paging or selecting the result of a function that returns scalars',
    )
  }
}
