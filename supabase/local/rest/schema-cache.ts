import type { Queryable } from '../../src/db/index.ts'

/**
 * What PostgREST's schema cache knows and the stand-in needs: which relations and functions
 * the exposed schema has, their columns, primary keys and argument types. It is reloaded when
 * a request names something it does not know (so migrations applied while the stand-in runs
 * are picked up) and on `NOTIFY pgrst, 'reload schema'`, as PostgREST does.
 */
export interface TableInfo {
  name: string
  columns: string[]
  primaryKey: string[]
}

export interface FunctionArg {
  name: string
  /** Schema and name of the argument's type, quoted by the SQL builder. */
  typeSchema: string
  typeName: string
  /** The type as `regtype` prints it (`integer`, `text`), for PGRST203's message. */
  typeLabel: string
  hasDefault: boolean
}

export interface FunctionInfo {
  name: string
  args: FunctionArg[]
  returnsSet: boolean
  returnsVoid: boolean
  /** A row type or OUT/TABLE columns: rows are returned as objects. */
  returnsComposite: boolean
}

/** A foreign key between two relations of the schema: `table(columns)` references `refTable(refColumns)`. */
export interface ForeignKey {
  name: string
  table: string
  columns: string[]
  refTable: string
  refColumns: string[]
  /** The key's columns are also a primary key or unique constraint: one-to-one both ways. */
  oneToOne: boolean
}

/** How an embedded resource joins its parent: the child table, one or many rows, and column pairs. */
export interface Relation {
  table: string
  many: boolean
  on: { parent: string; child: string }[]
  /** PostgREST's name for the relationship's kind, as PGRST201 lists it. */
  cardinality: 'many-to-one' | 'one-to-many' | 'one-to-one'
  /** The foreign key constraint's name. */
  constraint: string
}

interface Snapshot {
  tables: Map<string, TableInfo>
  functions: Map<string, FunctionInfo[]>
  foreignKeys: ForeignKey[]
}

const TABLES_SQL = `
select c.relname as name,
  coalesce((select json_agg(a.attname order by a.attnum) from pg_attribute a
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
  coalesce((select json_agg(a.attname order by array_position(i.indkey::int2[], a.attnum))
    from pg_index i join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
    where i.indrelid = c.oid and i.indisprimary), '[]') as primary_key
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'f', 'p')`

// proargnames/proargmodes cover all arguments (IN and OUT); proargtypes only the IN ones.
const FUNCTIONS_SQL = `
select p.proname as name, p.proretset as returns_set, p.pronargdefaults as n_defaults,
  rt.oid = 'void'::regtype as returns_void,
  (rt.typtype = 'c' or coalesce(p.proargmodes && array['o', 't']::"char"[], false)) as returns_composite,
  coalesce((select json_agg(json_build_object('name', coalesce(p.proargnames[i], ''),
      'type_schema', tn.nspname, 'type_name', t.typname, 'type_label', t.oid::regtype::text) order by i)
    from generate_series(1, coalesce(array_length(p.proallargtypes, 1), p.pronargs)) as i
    join pg_type t on t.oid = coalesce(p.proallargtypes[i], p.proargtypes[i - 1])
    join pg_namespace tn on tn.oid = t.typnamespace
    where coalesce(p.proargmodes[i], 'i') in ('i', 'b', 'v')), '[]') as args
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_type rt on rt.oid = p.prorettype
where n.nspname = $1 and p.prokind = 'f'
order by p.oid -- overloads in creation order, for PGRST203's list`

const FOREIGN_KEYS_SQL = `
select c.conname as name, rel.relname as table_name, ref.relname as ref_table,
  (select json_agg(a.attname order by k.ord) from unnest(c.conkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as columns,
  (select json_agg(a.attname order by k.ord) from unnest(c.confkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) as ref_columns,
  -- PostgREST's one_to_one: the key's columns are exactly a primary key or unique constraint.
  exists (select 1 from pg_constraint u where u.conrelid = c.conrelid and u.contype in ('p', 'u')
    and (select array_agg(k order by k) from unnest(u.conkey) as k)
      = (select array_agg(k order by k) from unnest(c.conkey) as k)) as one_to_one
from pg_constraint c
join pg_class rel on rel.oid = c.conrelid join pg_namespace n on n.oid = rel.relnamespace
join pg_class ref on ref.oid = c.confrelid join pg_namespace rn on rn.oid = ref.relnamespace
where c.contype = 'f' and n.nspname = $1 and rn.nspname = $1
order by c.conrelid, c.conname`

interface FunctionRow {
  name: string
  returns_set: boolean
  n_defaults: number
  returns_void: boolean
  returns_composite: boolean
  args: { name: string; type_schema: string; type_name: string; type_label: string }[]
}

// PostgREST only exposes functions whose parameters are all named, or that have exactly one
// unnamed parameter of a type a raw body can fill (SchemaCache.hs, `callable`).
function callable(args: FunctionRow['args']): boolean {
  const unnamed = args.filter((arg) => arg.name === '').length
  if (unnamed === 0) return true
  return unnamed === 1 && ['bytea', 'json', 'jsonb', 'text', 'xml'].includes(args[0]?.type_name ?? '')
}

export class SchemaCache {
  #snapshots = new Map<string, Promise<Snapshot>>()

  constructor(private readonly db: Queryable) {}

  invalidate(): void {
    this.#snapshots.clear()
  }

  async table(schema: string, name: string): Promise<TableInfo | undefined> {
    return (await this.#lookup(schema, (s) => s.tables.get(name))) ?? undefined
  }

  async functions(schema: string, name: string): Promise<FunctionInfo[]> {
    return (await this.#lookup(schema, (s) => s.functions.get(name))) ?? []
  }

  /** Foreign keys touching `table`; `fits` decides whether a reload is worth trying. */
  async foreignKeys(schema: string, fits: (keys: ForeignKey[]) => boolean): Promise<ForeignKey[]> {
    return (await this.#lookup(schema, (s) => (fits(s.foreignKeys) ? s.foreignKeys : undefined))) ?? []
  }

  // A miss reloads once: the name may have been created after the last load.
  async #lookup<T>(schema: string, pick: (snapshot: Snapshot) => T | undefined): Promise<T | undefined> {
    const cached = this.#snapshots.get(schema)
    const found = cached ? pick(await cached) : undefined
    if (found !== undefined) return found
    const fresh = this.#load(schema)
    this.#snapshots.set(schema, fresh)
    fresh.catch(() => this.#snapshots.delete(schema))
    return pick(await fresh)
  }

  async #load(schema: string): Promise<Snapshot> {
    const tables = await this.db.query<{ name: string; columns: string[]; primary_key: string[] }>(
      TABLES_SQL,
      [schema],
    )
    const functions = await this.db.query<FunctionRow>(FUNCTIONS_SQL, [schema])
    const keys = await this.db.query<{
      name: string
      table_name: string
      ref_table: string
      columns: string[]
      ref_columns: string[]
      one_to_one: boolean
    }>(FOREIGN_KEYS_SQL, [schema])
    const foreignKeys = keys.rows.map((row) => ({
      name: row.name,
      table: row.table_name,
      columns: row.columns,
      refTable: row.ref_table,
      refColumns: row.ref_columns,
      oneToOne: row.one_to_one,
    }))
    const snapshot: Snapshot = { tables: new Map(), functions: new Map(), foreignKeys }
    for (const row of tables.rows) {
      snapshot.tables.set(row.name, { name: row.name, columns: row.columns, primaryKey: row.primary_key })
    }
    for (const row of functions.rows) {
      if (!callable(row.args)) continue
      const firstDefault = row.args.length - row.n_defaults
      const info: FunctionInfo = {
        name: row.name,
        returnsSet: row.returns_set,
        returnsVoid: row.returns_void,
        returnsComposite: row.returns_composite,
        args: row.args.map((arg, index) => ({
          name: arg.name,
          typeSchema: arg.type_schema,
          typeName: arg.type_name,
          typeLabel: arg.type_label,
          hasDefault: index >= firstDefault,
        })),
      }
      snapshot.functions.set(row.name, [...(snapshot.functions.get(row.name) ?? []), info])
    }
    return snapshot
  }
}
