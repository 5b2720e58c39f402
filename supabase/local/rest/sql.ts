import { badRequest } from './errors.ts'
import { BINARY_OPERATORS, type Condition, FTS_FUNCTIONS } from './parse-filter.ts'
import type { EmbedItem, OrderTerm, SelectItem } from './parse-select.ts'
import { type ColumnRef, defaultAlias } from './syntax.ts'

/**
 * Turns parsed requests into SQL. Identifiers are always double-quoted (`ident`) and every
 * value from the request is a bind parameter, so nothing a client sends is spliced into SQL.
 */

/** Bind parameters collected while building one statement. */
export class Params {
  readonly values: unknown[] = []
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`
}

/** The alias every statement gives the table it reads, so filters can qualify their columns. */
export const T = ident('_t')

export function columnSql(ref: ColumnRef, params: Params, table = T): string {
  let sql = `${table}.${ident(ref.name)}`
  for (const step of ref.path) {
    // An integer key indexes a JSON array, as in PostgREST.
    const key = /^-?\d+$/.test(step.key)
      ? `${params.add(Number(step.key))}::int`
      : `${params.add(step.key)}::text`
    sql = `(${sql} ${step.arrow} ${key})`
  }
  return sql
}

// Common type spellings that are not catalog names; anything else is quoted as a type name.
const TYPE_ALIASES: Record<string, string> = {
  integer: 'int4',
  int: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  boolean: 'bool',
  real: 'float4',
  'double precision': 'float8',
  decimal: 'numeric',
  'character varying': 'varchar',
}

function typeSql(cast: string): string {
  const array = cast.endsWith('[]')
  const base = cast.replace(/\[\]$/, '').trim().toLowerCase()
  return `${ident(TYPE_ALIASES[base] ?? base)}${array ? '[]' : ''}`
}

/** Renders an embedded resource as one select-list expression (see embed.ts). */
export type EmbedRenderer = (item: EmbedItem, parent: string, params: Params) => string

/** An embed that selects nothing, nor anything below it (`users()`), is not output (PostgREST's rsEmptyEmbed). */
export function isEmptyEmbed(item: SelectItem): boolean {
  return item.kind === 'embed' && item.select.every(isEmptyEmbed)
}

export function selectListSql(items: SelectItem[], params: Params, table = T, embed?: EmbedRenderer): string {
  return items
    .filter((item) => !isEmptyEmbed(item))
    .map((item) => {
      if (item.kind === 'star') return `${table}.*`
      if (item.kind === 'embed') {
        if (!embed)
          throw badRequest(`Embedding "${item.name}" is only supported when reading or writing a table`)
        return `${embed(item, table, params)} as ${ident(item.alias ?? item.name)}`
      }
      const column = columnSql(item.column, params, table)
      const value = item.cast ? `${column}::${typeSql(item.cast)}` : column
      return `${value} as ${ident(item.alias ?? defaultAlias(item.column))}`
    })
    .join(', ')
}

export function whereSql(conditions: Condition[], params: Params, table = T, extra: string[] = []): string {
  const parts = [...conditions.map((condition) => conditionSql(condition, params, table)), ...extra]
  return parts.length === 0 ? '' : ` where ${parts.join(' and ')}`
}

function conditionSql(condition: Condition, params: Params, table: string): string {
  if (condition.kind === 'logic') {
    const children = condition.children.map((child) => conditionSql(child, params, table))
    const joined = children.length === 0 ? 'true' : `(${children.join(` ${condition.operator} `)})`
    return condition.negate ? `not ${joined}` : joined
  }
  const column = columnSql(condition.column, params, table)
  const sql = operationSql(column, condition.operation, params)
  return condition.negate ? `not (${sql})` : `(${sql})`
}

function operationSql(
  column: string,
  operation: Extract<Condition, { kind: 'filter' }>['operation'],
  params: Params,
) {
  switch (operation.op) {
    case 'in':
      // One parameter per value, so each takes the column's type (an array parameter would need
      // the element type spelled out, which PGlite cannot infer for enums). `in.()` matches nothing.
      if (operation.values.length === 0) return 'false'
      return `${column} in (${operation.values.map((value) => params.add(value)).join(', ')})`
    case 'is':
      return {
        null: `${column} is null`,
        not_null: `${column} is not null`,
        true: `${column} is true`,
        false: `${column} is false`,
        unknown: `${column} is unknown`,
      }[operation.value]
    case 'fts':
    case 'plfts':
    case 'phfts':
    case 'wfts': {
      const fn = FTS_FUNCTIONS[operation.op]
      const config = operation.config === undefined ? '' : `${params.add(operation.config)}::regconfig, `
      return `${column} @@ ${fn}(${config}${params.add(operation.value)})`
    }
  }
  if ('quantifier' in operation) {
    return `${column}::text ${operation.op} ${operation.quantifier}(${params.add(operation.values)}::text[])`
  }
  if (operation.op === 'like' || operation.op === 'ilike') {
    return `${column}::text ${operation.op} ${params.add(operation.value)}`
  }
  return `${column} ${BINARY_OPERATORS[operation.op]} ${params.add(operation.value)}`
}

export function orderSql(terms: OrderTerm[], params: Params, table = T): string {
  if (terms.length === 0) return ''
  const list = terms.map((term) => {
    const nulls = term.nulls ? ` nulls ${term.nulls}` : ''
    return `${columnSql(term.column, params, table)} ${term.descending ? 'desc' : 'asc'}${nulls}`
  })
  return ` order by ${list.join(', ')}`
}

export function pageSql(limit: number | undefined, offset: number | undefined, params: Params): string {
  const limitSql = limit === undefined ? '' : ` limit ${params.add(limit)}`
  const offsetSql = offset === undefined ? '' : ` offset ${params.add(offset)}`
  return limitSql + offsetSql
}
