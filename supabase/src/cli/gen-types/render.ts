import type { ColumnModel, FunctionModel, RelationModel, SchemaModel, TypeRef } from './introspect.ts'

// Renders the same shape as `supabase gen types typescript` (postgres-meta's TypeScript
// template), so that the file can be swapped for the CLI's output against a real project.

const numberTypes = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid'])
const stringTypes = new Set([
  'text',
  'varchar',
  'bpchar',
  'char',
  'name',
  'uuid',
  'citext',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'bytea',
  'inet',
  'cidr',
  'macaddr',
  'money',
  'tsvector',
  'tsquery',
  'xml',
  'bit',
  'varbit',
  'regclass',
  'regtype',
  'regproc',
  'int4range',
  'int8range',
  'numrange',
  'tsrange',
  'tstzrange',
  'daterange',
  'vector',
  'halfvec',
  'sparsevec',
  'ltree',
])

const indent = (level: number) => '  '.repeat(level)
const key = (name: string) => JSON.stringify(name)
// Property names unquoted where TypeScript allows, as prettier leaves the CLI's output.
const prop = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : key(name))

function tsType(type: TypeRef, schema: string): string {
  const base = baseTsType(type, schema)
  if (type.arrayDepth === 0) return base
  return (/^[\w.[\]"]+$/.test(base) ? base : `(${base})`) + '[]'.repeat(type.arrayDepth)
}

function baseTsType(type: TypeRef, schema: string): string {
  if (type.kind === 'e') {
    return type.schema === schema ? `Database[${key(schema)}]["Enums"][${key(type.name)}]` : 'string'
  }
  if (type.kind === 'c') {
    if (type.schema !== schema) return 'Json'
    return type.relation
      ? `Database[${key(schema)}]["Tables"][${key(type.relation)}]["Row"]`
      : `Database[${key(schema)}]["CompositeTypes"][${key(type.name)}]`
  }
  if (type.name === 'bool') return 'boolean'
  if (numberTypes.has(type.name)) return 'number'
  if (stringTypes.has(type.name)) return 'string'
  if (type.name === 'json' || type.name === 'jsonb') return 'Json'
  if (type.name === 'void') return 'undefined'
  if (type.name === 'record') return 'Record<string, unknown>'
  return 'unknown'
}

function rowFields(columns: ColumnModel[], schema: string, level: number): string {
  return columns
    .map((c) => `${indent(level)}${prop(c.name)}: ${tsType(c.type, schema)}${c.nullable ? ' | null' : ''}\n`)
    .join('')
}

function writeFields(columns: ColumnModel[], schema: string, level: number, forInsert: boolean): string {
  return columns
    .map((c) => {
      if (c.alwaysGenerated) return `${indent(level)}${prop(c.name)}?: never\n`
      const optional = !forInsert || c.nullable || c.hasDefault
      return `${indent(level)}${prop(c.name)}${optional ? '?' : ''}: ${tsType(c.type, schema)}${c.nullable ? ' | null' : ''}\n`
    })
    .join('')
}

function relationships(relation: RelationModel, level: number): string {
  if (relation.relationships.length === 0) return `${indent(level)}Relationships: []\n`
  const items = relation.relationships
    .map(
      (r) =>
        `${indent(level + 1)}{\n` +
        `${indent(level + 2)}foreignKeyName: ${key(r.foreignKeyName)}\n` +
        `${indent(level + 2)}columns: [${r.columns.map(key).join(', ')}]\n` +
        `${indent(level + 2)}isOneToOne: ${r.isOneToOne}\n` +
        `${indent(level + 2)}referencedRelation: ${key(r.referencedRelation)}\n` +
        `${indent(level + 2)}referencedColumns: [${r.referencedColumns.map(key).join(', ')}]\n` +
        `${indent(level + 1)}},\n`,
    )
    .join('')
  return `${indent(level)}Relationships: [\n${items}${indent(level)}]\n`
}

function block(name: string, level: number, body: string): string {
  return body === ''
    ? `${indent(level)}${name}: {\n${indent(level + 1)}[_ in never]: never\n${indent(level)}}\n`
    : `${indent(level)}${name}: {\n${body}${indent(level)}}\n`
}

function renderTable(t: RelationModel, schema: string, level: number, isView: boolean): string {
  const writable = !isView || t.updatable
  return (
    `${indent(level)}${prop(t.name)}: {\n` +
    block('Row', level + 1, rowFields(t.columns, schema, level + 2)) +
    (writable
      ? block('Insert', level + 1, writeFields(t.columns, schema, level + 2, true)) +
        block('Update', level + 1, writeFields(t.columns, schema, level + 2, false))
      : '') +
    relationships(t, level + 1) +
    `${indent(level)}}\n`
  )
}

function renderFunction(fn: FunctionModel, model: SchemaModel, level: number): string {
  const { schema } = model
  const args =
    fn.args.length === 0
      ? `${indent(level + 1)}Args: never\n`
      : block(
          'Args',
          level + 1,
          fn.args
            .map(
              (a) =>
                `${indent(level + 2)}${prop(a.name)}${a.hasDefault ? '?' : ''}: ${tsType(a.type, schema)}\n`,
            )
            .join(''),
        )
  const relation = fn.returns.kind === 'c' && fn.returns.schema === schema ? fn.returns.relation : null
  const table = relation ? [...model.tables, ...model.views].find((t) => t.name === relation) : undefined
  let returns: string
  if (fn.tableColumns) {
    const fields = fn.tableColumns.map(
      (c) => `${indent(level + 2)}${prop(c.name)}: ${tsType(c.type, schema)}\n`,
    )
    returns = `{\n${fields.join('')}${indent(level + 1)}}${fn.returnsSet ? '[]' : ''}`
  } else if (table) {
    returns = `{\n${rowFields(table.columns, schema, level + 2)}${indent(level + 1)}}${fn.returnsSet ? '[]' : ''}`
  } else {
    const scalar = tsType(fn.returns, schema)
    returns = fn.returnsSet ? `${/^\w+$/.test(scalar) ? scalar : `(${scalar})`}[]` : scalar
  }
  // SetofOptions lets postgrest-js type `.rpc(...).select()` and embeds from the returned table.
  const setof = table
    ? block(
        'SetofOptions',
        level + 1,
        `${indent(level + 2)}from: "*"\n${indent(level + 2)}to: ${key(table.name)}\n` +
          `${indent(level + 2)}isOneToOne: ${!fn.returnsSet}\n${indent(level + 2)}isSetofReturn: ${fn.returnsSet}\n`,
      )
    : ''
  return `${indent(level)}${prop(fn.name)}: {\n${args}${indent(level + 1)}Returns: ${returns}\n${setof}${indent(level)}}\n`
}

function renderSchema(model: SchemaModel, level: number): string {
  const { schema } = model
  return (
    `${indent(level)}${prop(schema)}: {\n` +
    block('Tables', level + 1, model.tables.map((t) => renderTable(t, schema, level + 2, false)).join('')) +
    block('Views', level + 1, model.views.map((v) => renderTable(v, schema, level + 2, true)).join('')) +
    block('Functions', level + 1, model.functions.map((f) => renderFunction(f, model, level + 2)).join('')) +
    block(
      'Enums',
      level + 1,
      model.enums
        .map((e) => `${indent(level + 2)}${key(e.name)}: ${e.labels.map(key).join(' | ')}\n`)
        .join(''),
    ) +
    block(
      'CompositeTypes',
      level + 1,
      model.compositeTypes
        .map(
          (c) =>
            `${indent(level + 2)}${prop(c.name)}: {\n` +
            c.attributes
              .map((a) => `${indent(level + 3)}${prop(a.name)}: ${tsType(a.type, schema)} | null\n`)
              .join('') +
            `${indent(level + 2)}}\n`,
        )
        .join(''),
    ) +
    `${indent(level)}}\n`
  )
}

/** The whole file: Json, Database and the helper types supabase-js users expect. */
export function renderTypes(models: SchemaModel[], postgrestVersion: string): string {
  const defaultSchema = models.some((m) => m.schema === 'public') ? 'public' : (models[0]?.schema ?? 'public')
  const constants = models
    .map(
      (m) =>
        `  ${prop(m.schema)}: {\n    Enums: {\n` +
        m.enums.map((e) => `      ${prop(e.name)}: [${e.labels.map(key).join(', ')}],\n`).join('') +
        '    },\n  },\n',
    )
    .join('')
  return `${header}export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  // Allows to automatically instantiate createClient with right options
  // instead of createClient<Database, { PostgrestVersion: 'XX' }>(URL, KEY)
  __InternalSupabase: {
    PostgrestVersion: ${key(postgrestVersion)}
  }
${models.map((m) => renderSchema(m, 1)).join('')}}
${helpers(defaultSchema)}
export const Constants = {
${constants}} as const
`
}

const header = `// Generated by \`pnpm --filter @relevo/supabase gen:types\` from supabase/migrations. Do not edit.
// Same shape as \`supabase gen types typescript\`; \`pnpm typecheck\` fails when it is stale.

`

function helpers(defaultSchema: string): string {
  const variants = [
    ['Tables', 'Row', true],
    ['TablesInsert', 'Insert', false],
    ['TablesUpdate', 'Update', false],
  ] as const
  const tableHelpers = variants.map(([helper, part, withViews]) => {
    const keys = withViews ? '(DefaultSchema["Tables"] & DefaultSchema["Views"])' : 'DefaultSchema["Tables"]'
    const schemaKeys = (s: string) =>
      withViews
        ? `(DatabaseWithoutInternals[${s}]["Tables"] &\n        DatabaseWithoutInternals[${s}]["Views"])`
        : `DatabaseWithoutInternals[${s}]["Tables"]`
    const pick = (s: string) =>
      withViews
        ? `(DatabaseWithoutInternals[${s}]["Tables"] &\n      DatabaseWithoutInternals[${s}]["Views"])[TableName]`
        : `DatabaseWithoutInternals[${s}]["Tables"][TableName]`
    return `
export type ${helper}<
  DefaultSchemaTableNameOrOptions extends
    | keyof ${keys}
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof ${schemaKeys('DefaultSchemaTableNameOrOptions["schema"]')}
    : never = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? ${pick('DefaultSchemaTableNameOrOptions["schema"]')} extends {
      ${part}: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof ${keys}
    ? ${keys}[DefaultSchemaTableNameOrOptions] extends {
        ${part}: infer R
      }
      ? R
      : never
    : never
`
  })
  const named = (helper: string, part: string, param: string) => `
export type ${helper}<
  ${param}NameOrOptions extends
    | keyof DefaultSchema["${part}"]
    | { schema: keyof DatabaseWithoutInternals },
  ${param}Name extends ${param}NameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[${param}NameOrOptions["schema"]]["${part}"]
    : never = never,
> = ${param}NameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[${param}NameOrOptions["schema"]]["${part}"][${param}Name]
  : ${param}NameOrOptions extends keyof DefaultSchema["${part}"]
    ? DefaultSchema["${part}"][${param}NameOrOptions]
    : never
`
  return `
type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, ${key(defaultSchema)}>]
${tableHelpers.join('')}${named('Enums', 'Enums', 'DefaultSchemaEnum')}${named('CompositeTypes', 'CompositeTypes', 'PublicCompositeType')}`
}
