import { readFile } from 'node:fs/promises'
import { createClient } from '@supabase/supabase-js'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { renderDatabaseTypes } from '../src/cli/gen-types.ts'
import { Constants, type Database, type Enums, type Tables, type TablesInsert } from '../types/database.ts'
import { CheckEnums } from '../types/enums.ts'
import { backends } from './support/test-database.ts'

// The generated types must work with the unmodified supabase-js client: these lines are
// checked by `tsc` (the package's typecheck script); the runtime asserts keep vitest honest.
function typedQueries() {
  const supabase = createClient<Database>('http://127.0.0.1:54321', 'anon-key')
  const list = supabase.from('conversations').select('id, mode, last_message_at').eq('tenant_id', 'x')
  const takeover = supabase.rpc('takeover', { p_conversation_id: 'x' })
  const claim = supabase.rpc('claim_outbox', { p_channel_id: 'c', p_worker: 'w' })
  const secrets = supabase.rpc('tenant_secrets_status')
  return { list, takeover, claim, secrets }
}

describe('generated database types', () => {
  it('type rows, inserts, rpc arguments and results like supabase gen types', () => {
    type Queries = ReturnType<typeof typedQueries>
    type ListRow = NonNullable<Awaited<Queries['list']>['data']>[number]
    expectTypeOf<ListRow['mode']>().toEqualTypeOf<'ai' | 'human'>()
    expectTypeOf<ListRow['last_message_at']>().toEqualTypeOf<string | null>()
    type Taken = NonNullable<Awaited<Queries['takeover']>['data']>
    expectTypeOf<Taken>().toEqualTypeOf<Tables<'conversations'>>()
    type Claimed = NonNullable<Awaited<Queries['claim']>['data']>
    expectTypeOf<Claimed>().toEqualTypeOf<Tables<'messages'>[]>()
    expectTypeOf<TablesInsert<'canned_replies'>['id']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<TablesInsert<'audit_log'>['id']>().toEqualTypeOf<undefined>()
    expectTypeOf<Enums<'message_status'>>().toEqualTypeOf<
      (typeof Constants.public.Enums.message_status)[number]
    >()
    // @ts-expect-error an unknown function name does not type-check
    createClient<Database>('http://127.0.0.1:54321', 'anon-key').rpc('no_such_function')
    expect(typeof typedQueries).toBe('function')
  })

  it.each(backends)('are what the migrations give on $kind, enums included', async (backend) => {
    const db = await backend.open()
    try {
      const committed = await readFile(new URL('../types/database.ts', import.meta.url), 'utf8')
      expect(await renderDatabaseTypes(db)).toBe(committed)
      const { rows } = await db.query<{ name: string; labels: string[] }>(
        `select t.typname as name, array_agg(e.enumlabel::text order by e.enumsortorder) as labels
         from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
         where n.nspname = 'public' group by t.typname`,
      )
      expect(Object.fromEntries(rows.map((row) => [row.name, row.labels]))).toEqual(Constants.public.Enums)
    } finally {
      await db.close()
    }
  })

  it.each(backends)(
    'list every CHECK-constraint enum as the migrations give it on $kind',
    async (backend) => {
      const db = await backend.open()
      try {
        // Single-column checks of the form `column in (…)`: Postgres shows them as `= ANY (ARRAY[…])`.
        const { rows } = await db.query<{ column: string; definition: string }>(
          `select c.relname || '.' || a.attname as column, pg_get_constraintdef(k.oid) as definition
         from pg_constraint k join pg_class c on c.oid = k.conrelid
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attnum = k.conkey[1]
         where n.nspname = 'public' and k.contype = 'c' and cardinality(k.conkey) = 1
           and pg_get_constraintdef(k.oid) like '%= ANY (ARRAY[%'`,
        )
        const catalog = Object.fromEntries(
          rows.map((row) => [row.column, [...row.definition.matchAll(/'([^']*)'::text/g)].map((m) => m[1])]),
        )
        expect(catalog).toEqual(CheckEnums)
      } finally {
        await db.close()
      }
    },
  )
})
