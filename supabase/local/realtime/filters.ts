/**
 * postgres_changes subscriptions and their `filter` (wire §1.7): `col=op.value` with the seven
 * classic operators, several conditions joined by commas meaning AND, `in.(a,b)` lists and
 * PostgREST-style "quoted" values. Values are compared by the column's type, as Postgres would.
 */
import { splitTopLevel as splitGrammar, unquote } from '../grammar.ts'

export type ChangeEvent = 'INSERT' | 'UPDATE' | 'DELETE' | '*'
export type Operator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in'

export interface Condition {
  column: string
  op: Operator
  values: string[]
}

export interface PgBinding {
  /** Echoed in the join reply and listed in pushes' `ids`; a number on both sides (wire §1.6). */
  id: number
  event: ChangeEvent
  schema: string
  /** Undefined or '*' means every table of the schema in the publication. */
  table: string | undefined
  conditions: Condition[]
}

export class FilterError extends Error {
  readonly code = 'bad_filter'
}

const OPERATORS = new Set<string>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'])

export function parseFilter(filter: string | undefined): Condition[] {
  if (filter === undefined || filter === '') return []
  return splitTopLevel(filter).map(parseCondition)
}

function parseCondition(text: string): Condition {
  const match = /^([^=]+)=([a-z]+)\.(.*)$/s.exec(text)
  if (!match) throw new FilterError(`expected column=operator.value, got ${text}`)
  const [, column = '', op = '', raw = ''] = match
  if (!OPERATORS.has(op)) throw new FilterError(`operator ${op} is not one of eq, neq, lt, lte, gt, gte, in`)
  if (op === 'in') {
    const list = /^\((.*)\)$/s.exec(raw)
    if (!list) throw new FilterError(`in needs a list like in.(a,b), got ${raw}`)
    return { column, op: 'in', values: splitTopLevel(list[1] ?? '').map(unquote) }
  }
  return { column, op: op as Operator, values: [unquote(raw)] }
}

/** Splits on commas outside brackets and double quotes, failing as a bad filter. */
function splitTopLevel(text: string): string[] {
  return splitGrammar(text, ',', (message) => new FilterError(message))
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid'])

/** True when the record satisfies every condition; a null value matches nothing, as in SQL. */
export function matchesConditions(
  conditions: Condition[],
  record: Record<string, unknown>,
  columnTypes: Map<string, string>,
): boolean {
  return conditions.every((condition) => {
    const value = record[condition.column]
    if (value === null || value === undefined) return false
    const type = columnTypes.get(condition.column) ?? 'text'
    const results = condition.values.map((target) => compare(value, target, type))
    switch (condition.op) {
      case 'eq':
        return results[0] === 0
      case 'neq':
        return results[0] !== 0 && results[0] !== null
      case 'lt':
        return results[0] !== null && (results[0] as number) < 0
      case 'lte':
        return results[0] !== null && (results[0] as number) <= 0
      case 'gt':
        return results[0] !== null && (results[0] as number) > 0
      case 'gte':
        return results[0] !== null && (results[0] as number) >= 0
      case 'in':
        return results.includes(0)
      default:
        return false
    }
  })
}

/** -1/0/1, or null when the target cannot be read as the column's type. */
function compare(value: unknown, target: string, type: string): number | null {
  if (NUMERIC.has(type)) {
    const a = Number(value)
    const b = Number(target)
    if (Number.isNaN(a) || Number.isNaN(b) || target.trim() === '') return null
    return Math.sign(a - b)
  }
  if (type === 'bool') {
    const b = parseBool(target)
    if (b === null) return null
    return value === b ? 0 : value ? 1 : -1
  }
  if (type === 'timestamptz' || type === 'timestamp' || type === 'date') {
    const a = Date.parse(String(value))
    const b = Date.parse(target)
    if (!Number.isNaN(a) && !Number.isNaN(b)) return Math.sign(a - b)
  }
  const a = typeof value === 'string' ? value : JSON.stringify(value)
  return a === target ? 0 : a < target ? -1 : 1
}

function parseBool(text: string): boolean | null {
  const lower = text.toLowerCase()
  if (['t', 'true', 'yes', 'on', '1'].includes(lower)) return true
  if (['f', 'false', 'no', 'off', '0'].includes(lower)) return false
  return null
}
