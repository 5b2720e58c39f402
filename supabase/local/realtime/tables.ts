import type { Database } from '../../src/db/index.ts'

/** What the change pipeline needs to know about a published table; cached until its shape changes. */
export interface TableInfo {
  schema: string
  table: string
  /** `pg_type.typname` per column, the `columns` of Supabase's payload (wire §1.7). */
  columns: { name: string; type: string }[]
  types: Map<string, string>
  /** Columns an INSERT may name (generated columns excluded). */
  insertable: string[]
  primaryKey: string[]
  rowSecurity: boolean
  /** REPLICA IDENTITY FULL: Supabase then shows the whole old row. */
  replicaFull: boolean
  /** The quoted, schema-qualified name for SQL text. */
  sqlName: string
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

export class TableCatalog {
  private readonly cache = new Map<string, TableInfo>()

  constructor(private readonly db: Database) {}

  /** Null when the table does not exist. */
  async get(schema: string, table: string, refresh = false): Promise<TableInfo | null> {
    const key = `${schema}.${table}`
    const cached = this.cache.get(key)
    if (cached && !refresh) return cached
    const sqlName = `${quoteIdent(schema)}.${quoteIdent(table)}`
    const relation = await this.db.query<{ oid: number; rowsecurity: boolean; replicafull: boolean }>(
      `select c.oid::int as oid, c.relrowsecurity as rowsecurity,
              c.relreplident = 'f' as replicafull from pg_catalog.pg_class c
        where c.oid = to_regclass($1)`,
      [sqlName],
    )
    const rel = relation.rows[0]
    if (!rel) {
      this.cache.delete(key)
      return null
    }
    const columns = await this.db.query<{ name: string; type: string; generated: boolean; pk: boolean }>(
      `select a.attname::text as name, t.typname::text as type, a.attgenerated <> '' as generated,
              exists (select from pg_catalog.pg_index i where i.indrelid = a.attrelid and i.indisprimary
                       and a.attnum = any (i.indkey)) as pk
         from pg_catalog.pg_attribute a join pg_catalog.pg_type t on t.oid = a.atttypid
        where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
        order by a.attnum`,
      [rel.oid],
    )
    const info: TableInfo = {
      schema,
      table,
      columns: columns.rows.map(({ name, type }) => ({ name, type })),
      types: new Map(columns.rows.map(({ name, type }) => [name, type])),
      insertable: columns.rows.filter((column) => !column.generated).map((column) => column.name),
      primaryKey: columns.rows.filter((column) => column.pk).map((column) => column.name),
      rowSecurity: rel.rowsecurity,
      replicaFull: rel.replicafull,
      sqlName,
    }
    this.cache.set(key, info)
    return info
  }

  /** Re-reads the table when a record's keys no longer match the cached columns (DDL happened). */
  async fresh(
    schema: string,
    table: string,
    record: Record<string, unknown> | undefined,
  ): Promise<TableInfo | null> {
    const info = await this.get(schema, table)
    if (!info || !record) return info
    const keys = Object.keys(record)
    const same = keys.length === info.columns.length && keys.every((key) => info.types.has(key))
    return same ? info : this.get(schema, table, true)
  }
}
