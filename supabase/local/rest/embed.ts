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
  const resolve = async (parent: string, list: SelectItem[], prefix: string): Promise<SelectItem[]> =>
    Promise.all(
      list.map(async (item) => {
        if (item.kind !== 'embed') return item
        const path = prefix + (item.alias ?? item.name)
        used.add(path)
        const relation = await relationFor(cache, schema, parent, item)
        const select = await resolve(relation.table, item.select, `${path}.`)
        return { ...item, select, relation, query: embedded[path] ?? EMPTY } satisfies ResolvedEmbed
      }),
    )
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
    throw new PostgrestError(400, {
      code: 'PGRST200',
      details: `Searched for a foreign key relationship between '${parent}' and '${item.name}' in the schema '${schema}', but no matches were found.`,
      hint: null,
      message: `Could not find a relationship between '${parent}' and '${item.name}' in the schema cache`,
    })
  }
  throw new PostgrestError(300, {
    code: 'PGRST201',
    details: found
      .map((relation) => `${relation.table} via ${relation.on.map((p) => p.child).join(', ')}`)
      .join('; '),
    hint: `Try changing '${item.name}' to one of the foreign key names, e.g. '${item.name}!<fk name>'`,
    message: `Could not embed because more than one relationship was found for '${parent}' and '${item.name}'`,
  })
}

function candidates(keys: ForeignKey[], parent: string, item: EmbedItem): Relation[] {
  const relations: (Relation & { key: ForeignKey })[] = []
  for (const key of keys) {
    // Many-to-one: the parent holds the key; the embed names the table, the FK column or the constraint.
    const byColumn = key.columns.length === 1 && key.columns[0] === item.name
    if (key.table === parent && (key.refTable === item.name || byColumn || key.name === item.name)) {
      const on = key.columns.map((column, i) => ({ parent: column, child: key.refColumns[i] as string }))
      relations.push({ table: key.refTable, many: false, on, key })
    }
    // One-to-many: the embedded table holds a key to the parent.
    if (key.refTable === parent && key.table === item.name) {
      const on = key.refColumns.map((column, i) => ({ parent: column, child: key.columns[i] as string }))
      relations.push({ table: key.table, many: true, on, key })
    }
  }
  const hint = item.hint
  const hinted = hint
    ? relations.filter(
        (r) => r.key.name === hint || r.key.columns.includes(hint) || r.key.refColumns.includes(hint),
      )
    : relations
  return hinted.map(({ key: _key, ...relation }) => relation)
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
