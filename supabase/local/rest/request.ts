import { unquote } from '../grammar.ts'
import { badRequest, PostgrestError } from './errors.ts'
import { type Condition, parseFilter, parseLogic } from './parse-filter.ts'
import { type OrderTerm, parseCount, parseOrder, parseSelect, type SelectItem } from './parse-select.ts'
import { splitTopLevel } from './syntax.ts'

/** Everything a REST request says besides its body, parsed and validated. */
export interface RestQuery {
  select: SelectItem[]
  conditions: Condition[]
  order: OrderTerm[]
  limit?: number
  offset?: number
  onConflict?: string[]
  columns?: string[]
  /** Query params that name RPC arguments (GET /rpc/fn?a=1). */
  args: Record<string, string>
  /** Filters, order and page of embedded resources, by embed path (`owner`, `owner.team`). */
  embedded: Record<string, EmbedQuery>
}

export interface EmbedQuery {
  conditions: Condition[]
  order: OrderTerm[]
  limit?: number
  offset?: number
}

const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'on_conflict', 'columns'])
const LOGIC = new Set(['or', 'and', 'not.or', 'not.and'])

/** Parses the query string; `argNames` (for RPC) routes matching params to arguments instead of filters. */
export function parseQuery(params: URLSearchParams, argNames: ReadonlySet<string> = new Set()): RestQuery {
  const conditions: Condition[] = []
  const args: Record<string, string> = {}
  // No prototype: a path like `__proto__.x` must be an ordinary (unknown) embed name.
  const embedded: Record<string, EmbedQuery> = Object.create(null)
  for (const [key, value] of params) {
    if (RESERVED.has(key) || key === 'apikey') continue
    if (argNames.has(key)) args[key] = value
    else if (LOGIC.has(key)) conditions.push(parseLogic(key, value))
    else if (key.includes('.')) parseEmbedded(key, value, embedded)
    else conditions.push(parseFilter(key, value))
  }
  const limit = parseCount('limit', params.get('limit'))
  const offset = parseCount('offset', params.get('offset'))
  const onConflict = names(params.get('on_conflict'))
  const columns = names(params.get('columns'))
  return {
    select: parseSelect(params.get('select')),
    conditions,
    order: parseOrder(params.get('order')),
    args,
    embedded,
    ...(limit === undefined ? {} : { limit }),
    ...(offset === undefined ? {} : { offset }),
    ...(onConflict ? { onConflict } : {}),
    ...(columns ? { columns } : {}),
  }
}

// `owner.name=eq.x`, `owner.or=(…)`, `owner.order=name`, `owner.team.limit=1`: they apply inside the embed.
function parseEmbedded(key: string, value: string, embedded: Record<string, EmbedQuery>): void {
  const logic = /^(.+)\.((?:not\.)?(?:or|and))$/.exec(key)
  const [path, last] = logic
    ? [logic[1] as string, logic[2] as string]
    : [key.slice(0, key.lastIndexOf('.')), key.slice(key.lastIndexOf('.') + 1)]
  const query = embedded[path] ?? { conditions: [], order: [] }
  embedded[path] = query
  if (logic) query.conditions.push(parseLogic(last, value))
  else if (last === 'order') query.order.push(...parseOrder(value))
  else if (last === 'limit' || last === 'offset') {
    const count = parseCount(key, value)
    if (count !== undefined) query[last] = count
  } else query.conditions.push(parseFilter(last, value))
}

// `columns="a","b"` and `on_conflict=a,b`.
function names(text: string | null): string[] | undefined {
  if (text === null) return undefined
  const list = splitTopLevel(text, ',').map((name) => unquote(name.trim()))
  if (list.some((name) => name === '')) throw badRequest(`Empty name in "${text}"`)
  return list
}

/** Only the exposed schemas may be named in Accept-Profile / Content-Profile (PGRST106). */
export function profileSchema(header: string | undefined, exposed: readonly string[]): string {
  const schema = header?.trim() || exposed[0] || 'public'
  if (!exposed.includes(schema)) {
    throw new PostgrestError(406, {
      code: 'PGRST106',
      details: null,
      hint: `Only the following schemas are exposed: ${exposed.join(', ')}`,
      message: `Invalid schema: ${schema}`,
    })
  }
  return schema
}
