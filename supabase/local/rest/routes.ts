import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import type { Database, Queryable } from '../../src/db/index.ts'
import { asRole } from '../as-role.ts'
import type { StandInEnv } from '../context.ts'
import type { Claims } from '../keys.ts'
import { readJsonBody } from './body.ts'
import { embedding, resolveEmbeds } from './embed.ts'
import { badRequest, fromDatabaseError, isDatabaseError, PostgrestError, tableNotFound } from './errors.ts'
import { parsePrefer, parseQuery, profileSchema, wantsObject } from './request.ts'
import {
  contentType,
  invalidBody,
  type RestResponse,
  type ResultRow,
  rangeNotSatisfiable,
  requestSettings,
  rowsResponse,
  write,
} from './respond.ts'
import { resolveFunction, rpcStatement } from './rpc.ts'
import type { SchemaCache } from './schema-cache.ts'
import { qualified, T } from './sql.ts'
import {
  deleteStatement,
  insertStatement,
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
}

type Ctx = Context<StandInEnv>

/** `/rest/v1`: the PostgREST subset supabase-js 2.119 uses (reference §2). */
export function restRoutes(options: RestOptions): Hono<StandInEnv> {
  const app = new Hono<StandInEnv>()
  const { cache } = options

  // Run one statement as the request's role; Postgres errors become PostgREST's.
  async function run(c: Ctx, respond: (tx: Queryable) => Promise<RestResponse>): Promise<Response> {
    const claims: Claims = c.get('claims')
    const result = await asRole(options.db, claims, respond, requestSettings(c)).catch((error: unknown) => {
      throw isDatabaseError(error) ? fromDatabaseError(error, claims.role === 'anon') : error
    })
    const body = c.req.method === 'HEAD' ? null : result.body
    return new Response(body, { status: result.status, headers: result.headers })
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
    return { schema, table, query: { ...parsed, select }, embedding: embedding(schema) }
  }

  const read = async (c: Ctx) => {
    rejectMediaTypes(c)
    const { schema, table, query, embedding } = await tableRequest(c, 'Accept-Profile')
    const prefer = parsePrefer(c.req.header('Prefer'))
    const single = wantsObject(c.req.header('Accept'))
    const from = `${qualified(schema, table.name)} as ${T}`
    const statement = readStatement(from, query, prefer.count, undefined, embedding)
    return run(c, async (tx) => {
      const row = await first(tx, statement)
      if (prefer.count && query.offset && row.total !== undefined && query.offset > row.total) {
        throw rangeNotSatisfiable(query.offset, row.total)
      }
      return rowsResponse(row, { single, count: prefer.count, status: 200, ...page(query) })
    })
  }
  app.on(['GET', 'HEAD'], '/:table', read)

  app.post('/:table', async (c) => {
    const { schema, table, query, embedding } = await tableRequest(c, 'Content-Profile')
    const prefer = parsePrefer(c.req.header('Prefer'))
    const single = wantsObject(c.req.header('Accept'))
    const body = await readJsonBody(c)
    const rows = Array.isArray(body) ? body : [body]
    if (!rows.every(isObject)) throw invalidBody('Insert a JSON object or an array of objects')
    if (prefer.missingDefault && Array.isArray(body)) {
      throw badRequest('Prefer: missing=default is not supported by the local stand-in')
    }
    const representation = prefer.representation || single
    const statement = insertStatement(rows, {
      schema,
      table,
      query,
      representation,
      embedding,
      ...(prefer.resolution ? { resolution: prefer.resolution } : {}),
    })
    return run(c, async (tx) => write(await first(tx, statement), representation, single, prefer, 201))
  })

  app.patch('/:table', async (c) => {
    const { schema, table, query, embedding } = await tableRequest(c, 'Content-Profile')
    const prefer = parsePrefer(c.req.header('Prefer'))
    const single = wantsObject(c.req.header('Accept'))
    const body = await readJsonBody(c)
    if (!isObject(body)) throw invalidBody('Update with a JSON object')
    const representation = prefer.representation || single
    const statement = updateStatement(body, { schema, table, query, representation, embedding })
    return run(c, async (tx) => write(await first(tx, statement), representation, single, prefer, 200))
  })

  app.delete('/:table', async (c) => {
    const { schema, table, query, embedding } = await tableRequest(c, 'Content-Profile')
    const prefer = parsePrefer(c.req.header('Prefer'))
    const single = wantsObject(c.req.header('Accept'))
    const representation = prefer.representation || single
    const statement = deleteStatement({ schema, table, query, representation, embedding })
    return run(c, async (tx) => write(await first(tx, statement), representation, single, prefer, 200))
  })

  const rpc = async (c: Ctx) => {
    const readOnly = c.req.method !== 'POST'
    if (readOnly) rejectMediaTypes(c)
    const schema = profileSchema(
      c.req.header(readOnly ? 'Accept-Profile' : 'Content-Profile'),
      options.schemas,
    )
    const name = c.req.param('fn') ?? ''
    const params = new URL(c.req.url).searchParams
    const body: unknown = readOnly ? null : await readJsonBody(c)
    // GET: arguments are the query params that name a parameter of some overload of the function.
    const known = readOnly
      ? new Set((await cache.functions(schema, name)).flatMap((f) => f.args.map((a) => a.name)))
      : undefined
    const query = parseQuery(params, known)
    if (Object.keys(query.embedded).length > 0) {
      throw badRequest('Filters on embedded resources are only supported when reading a table')
    }
    const args = readOnly ? query.args : body
    if (!readOnly && !isObject(args) && !Array.isArray(args))
      throw invalidBody('RPC arguments must be a JSON object')
    const given = isObject(args) ? Object.keys(args) : []
    const { fn, wholeBody } = await resolveFunction(cache, schema, name, given)
    if (!wholeBody && !isObject(args)) throw invalidBody('RPC arguments must be a JSON object')
    const prefer = parsePrefer(c.req.header('Prefer'))
    const single = wantsObject(c.req.header('Accept'))
    const call = rpcStatement(schema, fn, args, wholeBody, query, prefer.count)
    return run(c, async (tx) => {
      const row = await first(tx, call.statement)
      if (call.shape === 'void') return { status: 204, body: null, headers: {} }
      if (call.shape === 'rows')
        return rowsResponse(row, { single, count: prefer.count, status: 200, ...page(query) })
      const body = call.shape === 'object' ? (row.first ?? 'null') : (row.body ?? 'null')
      return { status: 200, body, headers: { 'Content-Type': contentType(false) } }
    })
  }
  app.on(['GET', 'HEAD'], '/rpc/:fn', rpc)
  app.post('/rpc/:fn', rpc)

  return app
}

/** The requested window, for Content-Range and the 206 decision. */
function page(query: { offset?: number; limit?: number }): { offset?: number; limit?: number } {
  return {
    ...(query.offset === undefined ? {} : { offset: query.offset }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// CSV, plans and other media types are not produced; saying so beats answering JSON.
function rejectMediaTypes(c: Ctx): void {
  const accept = c.req.header('Accept') ?? ''
  if (/text\/csv|vnd\.pgrst\.plan|application\/geo\+json/.test(accept)) {
    throw new PostgrestError(406, {
      code: 'PGRST107',
      details: null,
      hint: null,
      message: `None of these media types are available: ${accept}`,
    })
  }
}
