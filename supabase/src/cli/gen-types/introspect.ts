import type { Queryable } from '../../db/index.ts'

/** What the type renderer needs to know about one schema, read from pg_catalog. */
export interface SchemaModel {
  schema: string
  tables: RelationModel[]
  views: RelationModel[]
  functions: FunctionModel[]
  enums: { name: string; labels: string[] }[]
  compositeTypes: { name: string; attributes: { name: string; type: TypeRef }[] }[]
}

/** A type as the renderer sees it: the pg type plus how deep it is nested in arrays. */
export interface TypeRef {
  schema: string
  name: string
  /** e = enum, c = composite, b = base, d = domain (already resolved to its base), p = pseudo. */
  kind: string
  /** For composite types: the relation it describes (tables have one), else null. */
  relation: string | null
  arrayDepth: number
}

export interface ColumnModel {
  name: string
  type: TypeRef
  nullable: boolean
  hasDefault: boolean
  /** Identity GENERATED ALWAYS or a generated column: never written by clients. */
  alwaysGenerated: boolean
}

export interface RelationshipModel {
  foreignKeyName: string
  columns: string[]
  isOneToOne: boolean
  referencedRelation: string
  referencedColumns: string[]
}

export interface RelationModel {
  name: string
  updatable: boolean
  columns: ColumnModel[]
  relationships: RelationshipModel[]
}

export interface FunctionModel {
  name: string
  args: { name: string; type: TypeRef; hasDefault: boolean }[]
  /** RETURNS TABLE (...) columns, when the function declares them. */
  tableColumns: { name: string; type: TypeRef }[] | null
  returns: TypeRef
  returnsSet: boolean
}

// One row per type oid we may meet: domains are unwrapped and arrays counted, so the
// renderer never needs to query again.
const typeRefSql = `
  with recursive t(oid, root, depth) as (
    select oid, oid, 0 from pg_catalog.pg_type
    union all
    select coalesce(nullif(ty.typelem, 0), ty.typbasetype), t.root,
           t.depth + case when ty.typelem <> 0 and ty.typcategory = 'A' then 1 else 0 end
    from t join pg_catalog.pg_type ty on ty.oid = t.oid
    where (ty.typcategory = 'A' and ty.typelem <> 0) or ty.typtype = 'd'
  )
  select t.root::int as oid, n.nspname as schema, ty.typname as name, ty.typtype::text as kind,
         rel.relname as relation, t.depth as array_depth
  from t
  join pg_catalog.pg_type ty on ty.oid = t.oid
  join pg_catalog.pg_namespace n on n.oid = ty.typnamespace
  left join pg_catalog.pg_class rel on rel.oid = ty.typrelid and rel.relkind in ('r', 'p', 'v', 'm', 'f')
  where not ((ty.typcategory = 'A' and ty.typelem <> 0) or ty.typtype = 'd')`

interface TypeRow {
  oid: number
  schema: string
  name: string
  kind: string
  relation: string | null
  array_depth: number
}

export async function introspectSchema(db: Queryable, schema: string): Promise<SchemaModel> {
  const typeRows = (await db.query<TypeRow>(typeRefSql)).rows
  const types = new Map<number, TypeRef>(
    typeRows.map((row) => [
      Number(row.oid),
      {
        schema: row.schema,
        name: row.name,
        kind: row.kind,
        relation: row.relation,
        arrayDepth: Number(row.array_depth),
      },
    ]),
  )
  const typeOf = (oid: number): TypeRef =>
    types.get(Number(oid)) ?? {
      schema: 'pg_catalog',
      name: 'unknown',
      kind: 'p',
      relation: null,
      arrayDepth: 0,
    }

  const relations = await readRelations(db, schema, typeOf)
  return {
    schema,
    tables: relations.filter((r) => r.kind === 'table').map(({ kind: _, ...r }) => r),
    views: relations.filter((r) => r.kind === 'view').map(({ kind: _, ...r }) => r),
    functions: await readFunctions(db, schema, typeOf),
    enums: await readEnums(db, schema),
    compositeTypes: await readCompositeTypes(db, schema, typeOf),
  }
}

async function readRelations(
  db: Queryable,
  schema: string,
  typeOf: (oid: number) => TypeRef,
): Promise<(RelationModel & { kind: 'table' | 'view' })[]> {
  const rels = (
    await db.query<{ oid: number; name: string; relkind: string; updatable: boolean }>(
      `select c.oid::int as oid, c.relname as name, c.relkind::text as relkind,
              (c.relkind in ('r', 'p') or pg_catalog.pg_relation_is_updatable(c.oid, false) & 20 = 20) as updatable
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
       order by c.relname`,
      [schema],
    )
  ).rows
  const columns = (
    await db.query<{
      relid: number
      name: string
      type_oid: number
      notnull: boolean
      hasdef: boolean
      identity: string
      generated: string
    }>(
      `select a.attrelid::int as relid, a.attname as name, a.atttypid::int as type_oid, a.attnotnull as notnull,
              a.atthasdef as hasdef, a.attidentity::text as identity, a.attgenerated::text as generated
       from pg_catalog.pg_attribute a
       join pg_catalog.pg_class c on c.oid = a.attrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and a.attnum > 0 and not a.attisdropped`,
      [schema],
    )
  ).rows
  const foreignKeys = (
    await db.query<{
      relid: number
      name: string
      columns: string[]
      referenced: string
      referenced_columns: string[]
      one_to_one: boolean
    }>(
      `select k.conrelid::int as relid, k.conname as name,
              array(select a.attname::text from unnest(k.conkey) with ordinality u(n, i)
                    join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i) as columns,
              r.relname as referenced,
              array(select a.attname::text from unnest(k.confkey) with ordinality u(n, i)
                    join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i)
                as referenced_columns,
              exists (select 1 from pg_catalog.pg_index x where x.indrelid = k.conrelid and x.indisunique
                      and x.indpred is null and (select array_agg(v order by v) from unnest(x.indkey::int2[]) v)
                        = (select array_agg(v order by v) from unnest(k.conkey) v)) as one_to_one
       from pg_catalog.pg_constraint k
       join pg_catalog.pg_class c on c.oid = k.conrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       join pg_catalog.pg_class r on r.oid = k.confrelid
       join pg_catalog.pg_namespace rn on rn.oid = r.relnamespace
       where k.contype = 'f' and n.nspname = $1 and rn.nspname = $1`,
      [schema],
    )
  ).rows
  return rels.map((rel) => ({
    name: rel.name,
    kind: rel.relkind === 'r' || rel.relkind === 'p' || rel.relkind === 'f' ? 'table' : 'view',
    updatable: rel.updatable,
    columns: columns
      .filter((c) => Number(c.relid) === Number(rel.oid))
      .map((c) => ({
        name: c.name,
        type: typeOf(c.type_oid),
        nullable: !c.notnull,
        hasDefault: c.hasdef || c.identity !== '',
        alwaysGenerated: c.identity === 'a' || c.generated !== '',
      }))
      .sort((a, b) => compareNames(a.name, b.name)),
    relationships: foreignKeys
      .filter((k) => Number(k.relid) === Number(rel.oid))
      .map((k) => ({
        foreignKeyName: k.name,
        columns: k.columns,
        isOneToOne: k.one_to_one,
        referencedRelation: k.referenced,
        referencedColumns: k.referenced_columns,
      }))
      .sort((a, b) => compareNames(a.foreignKeyName, b.foreignKeyName)),
  }))
}

async function readFunctions(
  db: Queryable,
  schema: string,
  typeOf: (oid: number) => TypeRef,
): Promise<FunctionModel[]> {
  const rows = (
    await db.query<{
      name: string
      arg_names: string[] | null
      arg_modes: string[] | null
      arg_types: number[]
      in_types: number[]
      n_defaults: number
      returns: number
      returns_set: boolean
    }>(
      `select p.proname as name, p.proargnames::text[] as arg_names, p.proargmodes::text[] as arg_modes,
              coalesce(p.proallargtypes, p.proargtypes::oid[])::int[] as arg_types,
              p.proargtypes::oid[]::int[] as in_types, p.pronargdefaults::int as n_defaults,
              p.prorettype::int as returns, p.proretset as returns_set
       from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
       where n.nspname = $1 and p.prokind = 'f'
         and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
       order by p.proname, p.oid`,
      [schema],
    )
  ).rows
  const functions: FunctionModel[] = []
  for (const row of rows) {
    const all = row.arg_types.map((oid, i) => ({
      name: row.arg_names?.[i] ?? '',
      mode: row.arg_modes?.[i] ?? 'i',
      type: typeOf(oid),
    }))
    const inArgs = all.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v')
    // PostgREST calls functions with named arguments only (or a single unnamed one).
    if (inArgs.length > 1 && inArgs.some((a) => a.name === '')) continue
    const firstDefault = inArgs.length - Number(row.n_defaults)
    const tableArgs = all.filter((a) => a.mode === 't')
    functions.push({
      name: row.name,
      args: inArgs.map((a, i) => ({ name: a.name, type: a.type, hasDefault: i >= firstDefault })),
      tableColumns: tableArgs.length > 0 ? tableArgs.map((a) => ({ name: a.name, type: a.type })) : null,
      returns: typeOf(row.returns),
      returnsSet: row.returns_set,
    })
  }
  return functions
}

async function readEnums(db: Queryable, schema: string): Promise<SchemaModel['enums']> {
  const rows = (
    await db.query<{ name: string; labels: string[] }>(
      `select t.typname as name, array_agg(e.enumlabel::text order by e.enumsortorder) as labels
       from pg_catalog.pg_type t
       join pg_catalog.pg_namespace n on n.oid = t.typnamespace
       join pg_catalog.pg_enum e on e.enumtypid = t.oid
       where n.nspname = $1 group by t.typname`,
      [schema],
    )
  ).rows
  return rows.sort((a, b) => compareNames(a.name, b.name))
}

async function readCompositeTypes(
  db: Queryable,
  schema: string,
  typeOf: (oid: number) => TypeRef,
): Promise<SchemaModel['compositeTypes']> {
  const rows = (
    await db.query<{ name: string; attr: string; type_oid: number }>(
      `select t.typname as name, a.attname as attr, a.atttypid::int as type_oid
       from pg_catalog.pg_type t
       join pg_catalog.pg_namespace n on n.oid = t.typnamespace
       join pg_catalog.pg_class c on c.oid = t.typrelid and c.relkind = 'c'
       join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       where n.nspname = $1 order by t.typname, a.attnum`,
      [schema],
    )
  ).rows
  const byName = new Map<string, { name: string; type: TypeRef }[]>()
  for (const row of rows) {
    const attributes = byName.get(row.name) ?? []
    attributes.push({ name: row.attr, type: typeOf(row.type_oid) })
    byName.set(row.name, attributes)
  }
  return [...byName].map(([name, attributes]) => ({ name, attributes }))
}

/** Byte-order comparison, so the output does not depend on the machine's locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
