import { PostgrestError } from './errors.ts'
import type { RestQuery } from './request.ts'
import type { FunctionInfo, SchemaCache } from './schema-cache.ts'
import { ident, Params, qualified, T } from './sql.ts'
import { type ReadOptions, readStatement, type Statement } from './statements.ts'

/** How an RPC result becomes a response body (PostgREST's function-call response rules). */
export type RpcShape = 'void' | 'scalar' | 'object' | 'rows' | 'values'

export interface RpcCall {
  statement: Statement
  shape: RpcShape
}

/**
 * Picks the overload as PostgREST's findProc does (Plan.hs): a function matches when the given
 * argument names are exactly its required parameters plus any of its optional ones. One match
 * is called; several are 300 PGRST203. With no match, a POST falls back to a function whose only
 * parameter is an unnamed json/jsonb: it receives the whole body.
 */
export async function resolveFunction(
  cache: SchemaCache,
  schema: string,
  name: string,
  given: string[],
  post: boolean,
): Promise<{ fn: FunctionInfo; wholeBody: boolean }> {
  const candidates = await cache.functions(schema, name)
  const matched = candidates.filter((fn) => matchesParams(fn, new Set(given)))
  const fallback = candidates.filter(
    (fn) =>
      post &&
      fn.args.length === 1 &&
      fn.args[0]?.name === '' &&
      ['json', 'jsonb'].includes(fn.args[0].typeName),
  )
  const [only] = matched
  if (only && matched.length === 1) return { fn: only, wholeBody: false }
  if (matched.length > 1) throw ambiguous(schema, matched)
  const [single] = fallback
  if (single && fallback.length === 1) return { fn: single, wholeBody: true }
  if (fallback.length > 1) throw ambiguous(schema, fallback)
  const listed = given.join(', ')
  const searched =
    given.length === 0 ? ' without parameters' : ` with parameter${given.length > 1 ? 's' : ''} ${listed}`
  throw new PostgrestError(404, {
    code: 'PGRST202',
    details: `Searched for the function ${schema}.${name}${searched}${post ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`,
    hint: null,
    message: `Could not find the function ${schema}.${name}${given.length === 0 ? ' without parameters' : `(${listed})`} in the schema cache`,
  })
}

function matchesParams(fn: FunctionInfo, given: Set<string>): boolean {
  if (fn.args.length === 0) return given.size === 0
  const required = fn.args.filter((arg) => !arg.hasDefault).map((arg) => arg.name)
  const optional = new Set(fn.args.filter((arg) => arg.hasDefault).map((arg) => arg.name))
  const rest = [...given].filter((key) => !optional.has(key))
  return rest.length === required.length && required.every((key) => given.has(key))
}

function ambiguous(schema: string, fns: FunctionInfo[]): PostgrestError {
  const list = fns.map(
    (fn) => `${schema}.${fn.name}(${fn.args.map((arg) => `${arg.name} => ${arg.typeLabel}`).join(', ')})`,
  )
  return new PostgrestError(300, {
    code: 'PGRST203',
    details: null,
    hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    message: `Could not choose the best candidate function between: ${list.join(', ')}`,
  })
}

/**
 * Builds the call with the arguments decoded by json_to_record into the parameters' own types.
 * Every shape yields `body`, `first`, `n` (PostgREST's page total: 1 for a function returning
 * one value) and, when counted, `total`.
 */
export function rpcStatement(
  schema: string,
  fn: FunctionInfo,
  args: unknown,
  wholeBody: boolean,
  query: RestQuery,
  options: ReadOptions,
): RpcCall {
  const params = new Params()
  let from = ''
  let call: string
  if (wholeBody) {
    call = `${qualified(schema, fn.name)}(${params.add(JSON.stringify(args))}::${qualified(fn.args[0]?.typeSchema ?? 'pg_catalog', fn.args[0]?.typeName ?? 'json')})`
  } else {
    const given = fn.args.filter((arg) => Object.hasOwn(args as object, arg.name))
    if (given.length > 0) {
      const columns = given.map((arg) => `${ident(arg.name)} ${qualified(arg.typeSchema, arg.typeName)}`)
      from = `json_to_record(${params.add(JSON.stringify(args))}::json) as _a(${columns.join(', ')}) cross join lateral `
    }
    const named = given.map((arg) => `${ident(arg.name)} := _a.${ident(arg.name)}`)
    call = `${qualified(schema, fn.name)}(${named.join(', ')})`
  }
  if (fn.returnsComposite) {
    return {
      shape: fn.returnsSet ? 'rows' : fn.returnsVoid ? 'void' : 'object',
      statement: readStatement(`${from}${call} as ${T}`, query, options, params),
    }
  }
  const shape: RpcShape = fn.returnsVoid ? 'void' : fn.returnsSet ? 'values' : 'scalar'
  const values = options.strip ? `json_strip_nulls(json_agg(${T}."v"))` : `json_agg(${T}."v")`
  const body = fn.returnsSet ? `coalesce(${values}, '[]')` : `coalesce(${values} -> 0, 'null')`
  const total = options.count ? ', count(*)::int as total' : ''
  const n = fn.returnsSet ? 'count(*)::int' : '1'
  return {
    shape,
    statement: {
      text: `select ${body}::text as body, (${values} -> 0)::text as first, ${n} as n${total} from ${from}${call} as ${T}("v")`,
      params: params.values,
    },
  }
}
