import { PostgrestError } from './errors.ts'
import type { RestQuery } from './request.ts'
import type { FunctionInfo, SchemaCache } from './schema-cache.ts'
import { ident, Params, qualified, T } from './sql.ts'
import { readStatement, type Statement } from './statements.ts'

/** How an RPC result becomes a response body (reference §2.7). */
export type RpcShape = 'void' | 'scalar' | 'object' | 'rows' | 'values'

export interface RpcCall {
  statement: Statement
  shape: RpcShape
}

/**
 * Picks the overload PostgREST would: every given argument is a named parameter and every
 * parameter without a default is given. A function with one unnamed json/jsonb parameter
 * receives the whole body.
 */
export async function resolveFunction(
  cache: SchemaCache,
  schema: string,
  name: string,
  given: string[],
): Promise<{ fn: FunctionInfo; wholeBody: boolean }> {
  const candidates = await cache.functions(schema, name)
  for (const fn of candidates) {
    const names = new Set(fn.args.map((arg) => arg.name))
    const fits =
      given.every((key) => names.has(key)) &&
      fn.args.every((arg) => arg.hasDefault || given.includes(arg.name))
    if (fits) return { fn, wholeBody: false }
  }
  const single = candidates.find(
    (fn) =>
      fn.args.length === 1 && fn.args[0]?.name === '' && ['json', 'jsonb'].includes(fn.args[0].typeName),
  )
  if (single) return { fn: single, wholeBody: true }
  throw new PostgrestError(404, {
    code: 'PGRST202',
    details: `Searched for the function ${schema}.${name} with parameters ${given.join(', ') || '(none)'}, but no matches were found in the schema cache.`,
    hint: null,
    message: `Could not find the function ${schema}.${name}(${given.join(', ')}) in the schema cache`,
  })
}

/** Builds the call with the arguments decoded by json_to_record into the parameters' own types. */
export function rpcStatement(
  schema: string,
  fn: FunctionInfo,
  args: unknown,
  wholeBody: boolean,
  query: RestQuery,
  count: boolean,
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
  if (fn.returnsVoid)
    return { shape: 'void', statement: { text: `select 1 from ${from}${call} as _v`, params: params.values } }
  if (fn.returnsComposite) {
    return {
      shape: fn.returnsSet ? 'rows' : 'object',
      statement: readStatement(`${from}${call} as ${T}`, query, count, params),
    }
  }
  if (fn.returnsSet) {
    const text = `select coalesce(json_agg(${T}."v"), '[]')::text as body, count(*)::int as n from ${from}${call} as ${T}("v")`
    return { shape: 'values', statement: { text, params: params.values } }
  }
  return {
    shape: 'scalar',
    statement: {
      text: `select to_json(${T}."v")::text as body, 1 as n from ${from}${call} as ${T}("v")`,
      params: params.values,
    },
  }
}
