import { PostgrestError } from './errors.ts'
import type { EmbedItem, SelectItem } from './parse-select.ts'
import type { EmbedQuery } from './request.ts'
import type { ForeignKey, Relation, SchemaCache } from './schema-cache.ts'
import {
  type EmbedRenderer,
  ident,
  orderSql,
  type Params,
  pageSql,
  qualified,
  selectListSql,
  whereSql,
} from './sql.ts'

/**
 * Resource embedding over foreign keys, the common PostgREST cases: many-to-one (an object or
 * null) and one-to-many (an array), chosen by table name, FK column or constraint name, with
 * `!hint`, `!inner`, and filters, order and limit on the embed (`owner.name=eq.x`). Many-to-many
 * through junction tables and embedding from views or functions are not supported: they get 400.
 */
export type ResolvedEmbed = EmbedItem & { relation: Relation; query: EmbedQuery }

const EMPTY: EmbedQuery = { conditions: [], order: [] }

export async function resolveEmbeds(
  cache: SchemaCache,
  schema: string,
  table: string,
  items: SelectItem[],
  embedded: Record<string, EmbedQuery>,
): Promise<SelectItem[]> {
  const used = new Set<string>()
  const resolve = async (parent: string, list: SelectItem[], prefix: string): Promise<SelectItem[]> => {
    refuseDuplicateNames(parent, list, prefix === '' ? 1 : prefix.split('.').length)
    return Promise.all(
      list.map(async (item) => {
        if (item.kind !== 'embed') return item
        const path = prefix + (item.alias ?? item.name)
        used.add(path)
        const relation = await relationFor(cache, schema, parent, item)
        const select = await resolve(relation.table, item.select, `${path}.`)
        return { ...item, select, relation, query: embedded[path] ?? EMPTY } satisfies ResolvedEmbed
      }),
    )
  }
  const resolved = await resolve(table, items, '')
  for (const path of Object.keys(embedded)) {
    if (!used.has(path)) {
      throw new PostgrestError(400, {
        code: 'PGRST108',
        details: null,
        hint: `Verify that '${path}' is included in the 'select' query parameter.`,
        message: `'${path}' is not an embedded resource in this request`,
      })
    }
  }
  return resolved
}

/**
 * Two embeds under one name at one level: PostgREST names both lateral joins
 * `<parent>_<name>_<depth>` and Postgres refuses the second (400 42712).
 */
function refuseDuplicateNames(parent: string, list: SelectItem[], depth: number): void {
  const seen = new Set<string>()
  for (const item of list) {
    if (item.kind !== 'embed') continue
    const name = item.alias ?? item.name
    if (seen.has(name)) {
      throw new PostgrestError(400, {
        code: '42712',
        details: null,
        hint: null,
        message: `table name "${parent}_${name}_${depth}" specified more than once`,
      })
    }
    seen.add(name)
  }
}

async function relationFor(
  cache: SchemaCache,
  schema: string,
  parent: string,
  item: EmbedItem,
): Promise<Relation> {
  const match = (keys: ForeignKey[]) => candidates(keys, parent, item)
  // A relationship created after the last schema load is found by one reload, as for tables.
  const keys = await cache.foreignKeys(schema, (all) => match(all).length > 0)
  const found = match(keys)
  if (found.length === 1) return found[0] as Relation
  if (found.length === 0) {
    const using = item.hint === undefined ? '' : `' using the hint '${item.hint}`
    throw new PostgrestError(400, {
      code: 'PGRST200',
      details: `Searched for a foreign key relationship between '${parent}' and '${item.name}${using}' in the schema '${schema}', but no matches were found.`,
      hint: null,
      message: `Could not find a relationship between '${parent}' and '${item.name}' in the schema cache`,
    })
  }
  // PostgREST's AmbiguousRelBetween: details list each candidate, the hint names each as target!constraint.
  const columns = (table: string, names: string[]) => `${table}(${names.join(', ')})`
  throw new PostgrestError(300, {
    code: 'PGRST201',
    details: found.map((r) => ({
      cardinality: r.cardinality,
      embedding: `${parent} with ${r.table}`,
      relationship: `${r.constraint} using ${columns(
        parent,
        r.on.map((p) => p.parent),
      )} and ${columns(
        r.table,
        r.on.map((p) => p.child),
      )}`,
    })),
    hint: `Try changing '${item.name}' to one of the following: ${found.map((r) => `'${r.table}!${r.constraint}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
    message: `Could not embed because more than one relationship was found for '${parent}' and '${item.name}'`,
  })
}

/** Every relationship of `parent` (both directions of each key), filtered as PostgREST's findRel does. */
function candidates(keys: ForeignKey[], parent: string, item: EmbedItem): Relation[] {
  const relations: (Relation & { self: boolean })[] = []
  for (const key of keys) {
    const self = key.table === key.refTable
    // To-one: the parent holds the key (many-to-one, or one-to-one when the key is unique).
    if (key.table === parent) {
      const on = key.columns.map((column, i) => ({ parent: column, child: key.refColumns[i] as string }))
      const cardinality = key.oneToOne ? 'one-to-one' : 'many-to-one'
      relations.push({ table: key.refTable, many: false, on, cardinality, constraint: key.name, self })
    }
    // To-many: the embedded table holds a key to the parent (one-to-one when that key is unique).
    if (key.refTable === parent) {
      const on = key.refColumns.map((column, i) => ({ parent: column, child: key.columns[i] as string }))
      const cardinality = key.oneToOne ? 'one-to-one' : 'one-to-many'
      relations.push({ table: key.table, many: !key.oneToOne, on, cardinality, constraint: key.name, self })
    }
  }
  return relations.filter((r) => matches(r, item)).map(({ self: _self, ...relation }) => relation)
}

function matches(r: Relation & { self: boolean }, item: EmbedItem): boolean {
  const { name: target, hint } = item
  const column = r.on.length === 1 ? r.on[0]?.parent : undefined
  const refColumn = r.on.length === 1 ? r.on[0]?.child : undefined
  if (r.self) {
    // A self-referencing key: the table name means the children (one-to-many), the key's column the parent.
    if (hint === undefined) {
      return (
        (target === r.table && r.cardinality === 'one-to-many') ||
        (target === column && r.cardinality === 'many-to-one')
      )
    }
    return target === r.table && r.cardinality === 'one-to-many' && refColumn === hint
  }
  if (hint === undefined) return target === r.table || target === r.constraint || target === column
  return target === r.table && (hint === r.constraint || hint === column || hint === refColumn)
}

/** Renders resolved embeds: select-list subqueries, and `exists` conditions for `!inner` ones. */
export interface Embedding {
  render: EmbedRenderer
  innerJoins(items: SelectItem[], parent: string, params: Params): string[]
}

/** Correlated subqueries; each embed gets its own table alias (`_t1`, `_t2`, …). */
export function embedding(schema: string): Embedding {
  let depth = 0
  const render: EmbedRenderer = (item, parent, params) => {
    const { relation, query } = asResolved(item)
    const child = ident(`_t${++depth}`)
    const where = whereSql(query.conditions, params, child, [
      joinSql(relation, parent, child),
      ...innerJoins(item.select, child, params),
    ])
    const tail = orderSql(query.order, params, child) + pageSql(query.limit, query.offset, params)
    const rows = `select ${selectListSql(item.select, params, child, render)} from ${qualified(schema, relation.table)} as ${child}${where}${tail}`
    return relation.many
      ? `coalesce((select json_agg(_e) from (${rows}) as _e), '[]'::json)`
      : `(select to_json(_e) from (${rows}) as _e)`
  }
  // `!inner`: the parent row is kept only when the embed (with its filters) has a row.
  const innerJoins = (items: SelectItem[], parent: string, params: Params): string[] =>
    items.flatMap((item) => {
      if (item.kind !== 'embed' || !item.inner) return []
      const { relation, query } = asResolved(item)
      const child = ident(`_t${++depth}`)
      const where = whereSql(query.conditions, params, child, [
        joinSql(relation, parent, child),
        ...innerJoins(item.select, child, params),
      ])
      return [`exists (select 1 from ${qualified(schema, relation.table)} as ${child}${where})`]
    })
  return { render, innerJoins }
}

function joinSql(relation: Relation, parent: string, child: string): string {
  return relation.on
    .map((pair) => `${child}.${ident(pair.child)} = ${parent}.${ident(pair.parent)}`)
    .join(' and ')
}

function asResolved(item: EmbedItem): ResolvedEmbed {
  const resolved = item as Partial<ResolvedEmbed>
  if (!resolved.relation || !resolved.query) throw new Error(`embed "${item.name}" was not resolved`)
  return resolved as ResolvedEmbed
}
