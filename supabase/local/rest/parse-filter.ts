import { unquote } from '../grammar.ts'
import { badRequest } from './errors.ts'
import { type ColumnRef, parseColumnRef, splitTopLevel } from './syntax.ts'

/** Operators whose operand is one value, mapped to the SQL operator PostgREST uses. */
export const BINARY_OPERATORS = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  isdistinct: 'is distinct from',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
} as const

export type BinaryOperator = keyof typeof BINARY_OPERATORS
const FTS = {
  fts: 'to_tsquery',
  plfts: 'plainto_tsquery',
  phfts: 'phraseto_tsquery',
  wfts: 'websearch_to_tsquery',
}
export type FtsOperator = keyof typeof FTS
export const FTS_FUNCTIONS = FTS
export const IS_VALUES = ['null', 'not_null', 'true', 'false', 'unknown'] as const

export type Operation =
  | { op: BinaryOperator; value: string }
  | { op: 'in'; values: string[] }
  | { op: 'is'; value: (typeof IS_VALUES)[number] }
  | { op: 'like' | 'ilike'; quantifier: 'any' | 'all'; values: string[] }
  | { op: FtsOperator; config?: string; value: string }

export type Condition =
  | { kind: 'filter'; column: ColumnRef; negate: boolean; operation: Operation }
  | { kind: 'logic'; operator: 'and' | 'or'; negate: boolean; children: Condition[] }

/** A top-level filter param `column=[not.]op.value`; the value is taken literally. */
export function parseFilter(key: string, value: string): Condition {
  const [negate, operation] = parseOperation(value, false)
  return { kind: 'filter', column: parseColumnRef(key), negate, operation }
}

/** `or=(a.eq.1,and(b.gt.2,c.is.null))`, also `and=` and `not.or=`. */
export function parseLogic(key: string, value: string): Condition {
  const negate = key.startsWith('not.')
  const operator = negate ? key.slice(4) : key
  if (operator !== 'and' && operator !== 'or') throw badRequest(`Unknown logic operator "${key}"`)
  if (!value.startsWith('(') || !value.endsWith(')')) {
    throw badRequest(`"${key}" needs its conditions in parentheses, got "${value}"`)
  }
  return { kind: 'logic', operator, negate, children: parseLogicItems(value.slice(1, -1)) }
}

function parseLogicItems(text: string): Condition[] {
  return splitTopLevel(text, ',').map((raw) => {
    const item = raw.trim()
    const nested = /^(not\.)?(and|or)\((.*)\)$/s.exec(item)
    if (nested) {
      const operator = nested[2] as 'and' | 'or'
      return {
        kind: 'logic',
        operator,
        negate: Boolean(nested[1]),
        children: parseLogicItems(nested[3] ?? ''),
      }
    }
    const [column = '', ...rest] = splitTopLevel(item, '.')
    if (rest.length === 0) throw badRequest(`"${item}" is not a condition (column.operator.value)`)
    const [negate, operation] = parseOperation(rest.join('.'), true)
    return { kind: 'filter', column: parseColumnRef(column), negate, operation }
  })
}

/** Parses `[not.]op[(modifier)].value`; in logic trees a value may be "quoted". */
function parseOperation(text: string, inLogic: boolean): [boolean, Operation] {
  const negate = text.startsWith('not.')
  const rest = negate ? text.slice(4) : text
  const dot = rest.indexOf('.')
  if (dot < 0)
    throw badRequest(`"${text}" is not an operator followed by a value`, 'Use column=op.value, e.g. id=eq.1')
  const head = rest.slice(0, dot)
  const raw = rest.slice(dot + 1)
  const value = inLogic ? unquote(raw) : raw
  const modified = /^(\w+)\((\w+)\)$/.exec(head)
  const op = modified ? (modified[1] as string) : head
  const modifier = modified?.[2]
  if (op === 'in') return [negate, { op: 'in', values: parseList(raw) }]
  if (op === 'is') {
    const lower = value.toLowerCase()
    if (!(IS_VALUES as readonly string[]).includes(lower)) {
      throw badRequest(`"is" accepts null, not_null, true, false or unknown, got "${value}"`)
    }
    return [negate, { op: 'is', value: lower as (typeof IS_VALUES)[number] }]
  }
  if (op in FTS) {
    return [negate, { op: op as FtsOperator, value, ...(modifier === undefined ? {} : { config: modifier }) }]
  }
  if ((op === 'like' || op === 'ilike') && modifier !== undefined) {
    if (modifier !== 'any' && modifier !== 'all')
      throw badRequest(`Unknown quantifier "${modifier}" on ${op}`)
    const values = parseList(raw.replace(/^\{(.*)\}$/s, '($1)')).map(starToPercent)
    return [negate, { op, quantifier: modifier, values }]
  }
  if (modifier !== undefined || !(op in BINARY_OPERATORS))
    throw badRequest(`Unknown operator "${head}" in "${text}"`)
  const operand = op === 'like' || op === 'ilike' ? starToPercent(value) : value
  return [negate, { op: op as BinaryOperator, value: operand }]
}

/** `(a,"b,c",d)` → ['a', 'b,c', 'd']. */
function parseList(raw: string): string[] {
  if (!raw.startsWith('(') || !raw.endsWith(')')) throw badRequest(`"${raw}" is not a list in parentheses`)
  const inner = raw.slice(1, -1)
  if (inner.trim() === '') return []
  return splitTopLevel(inner, ',').map((item) => unquote(item.trim()))
}

// PostgREST accepts `*` as the like wildcard because `%` is awkward in URLs.
function starToPercent(pattern: string): string {
  return pattern.replaceAll('*', '%')
}
