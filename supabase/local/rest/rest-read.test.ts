import { readFile } from 'node:fs/promises'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

const SEED = `
insert into public.todos (id, owner, title, done, priority, tags, meta) values
  (1, null, 'Buy milk', false, 1, '{home,shop}', '{"status":"open","n":1}'),
  (2, null, 'Call Ann', true, 2, '{phone}', '{"status":"done","n":2}'),
  (3, null, 'Write report, v2', false, null, '{work}', '{"status":"open","n":3}'),
  (4, null, 'buy bread', true, 3, '{home,shop}', '{}'),
  (5, '00000000-0000-0000-0000-0000000000aa', 'Private', false, 5, '{}', '{}');
`

describe.each(backends)('REST reads through supabase-js (%s)', (backend) => {
  let env: TestStandIn
  let anon: SupabaseClient
  let service: SupabaseClient
  const ids = (data: unknown) => (data as { id: number }[] | null)?.map((row) => row.id)

  beforeAll(async () => {
    const schema = await readFile(new URL('../testing/todos.sql', import.meta.url), 'utf8')
    env = await startTestStandIn(backend, schema + SEED)
    anon = env.client()
    service = env.client(env.standIn.keys.serviceRoleKey)
  })
  afterAll(() => env?.close())

  it('selects columns, aliases, casts and JSON paths', async () => {
    const { data, error } = await anon
      .from('todos')
      .select('id, label:title, priority::text, status:meta->>status, created_at')
      .eq('id', 1)
    expect(error).toBeNull()
    expect(data).toEqual([
      { id: 1, label: 'Buy milk', priority: '1', status: 'open', created_at: '2026-01-01T00:00:00+00:00' },
    ])
  })

  it('applies every filter operator', async () => {
    const base = () => anon.from('todos').select('id').order('id')
    type Query = ReturnType<typeof base>
    const cases: [string, (q: Query) => PromiseLike<{ data: unknown; error: unknown }>, number[]][] = [
      ['eq', (q) => q.eq('title', 'Call Ann'), [2]],
      ['neq', (q) => q.neq('done', true), [1, 3]],
      ['gt', (q) => q.gt('priority', 1), [2, 4]],
      ['gte', (q) => q.gte('priority', 2), [2, 4]],
      ['lt', (q) => q.lt('priority', 2), [1]],
      ['lte', (q) => q.lte('priority', 2), [1, 2]],
      ['like', (q) => q.like('title', '%read%'), [4]],
      ['ilike', (q) => q.ilike('title', 'buy%'), [1, 4]],
      ['is null', (q) => q.is('priority', null), [3]],
      ['is true', (q) => q.is('done', true), [2, 4]],
      ['in', (q) => q.in('title', ['Call Ann', 'Write report, v2']), [2, 3]],
      ['cs', (q) => q.contains('tags', ['home']), [1, 4]],
      ['cs jsonb', (q) => q.contains('meta', { status: 'open' }), [1, 3]],
      ['not', (q) => q.not('priority', 'is', null), [1, 2, 4]],
      ['not in', (q) => q.not('id', 'in', '(1,2)'), [3, 4]],
      ['or', (q) => q.or('priority.gt.2,title.eq.Call Ann'), [2, 4]],
      ['or with quoted value', (q) => q.or('title.eq."Write report, v2",id.eq.1'), [1, 3]],
      ['nested and', (q) => q.or('and(done.eq.true,priority.gte.3),id.eq.1'), [1, 4]],
      ['json path', (q) => q.eq('meta->>status', 'done'), [2]],
      ['two filters on one column', (q) => q.gt('id', 1).lt('id', 4), [2, 3]],
      // The shape functions/ uses: in-list and a timestamp (dots, colons) inside a logic tree.
      [
        'or with in and timestamp',
        (q) => q.or('id.in.(1,2),and(done.eq.true,created_at.gt.2025-12-31T23:59:59.123Z)'),
        [1, 2, 4],
      ],
      ['match', (q) => q.match({ done: true, priority: 2 }), [2]],
      ['filter passthrough', (q) => q.filter('priority', 'in', '(1,3)'), [1, 4]],
      ['textSearch', (q) => q.textSearch('title', 'milk'), [1]],
      ['ilike any', (q) => q.ilikeAnyOf('title', ['buy%', 'call%']), [1, 2, 4]],
      ['overlaps', (q) => q.overlaps('tags', ['work', 'phone']), [2, 3]],
      ['containedBy', (q) => q.containedBy('tags', ['home', 'shop', 'phone']), [1, 2, 4]],
      ['isdistinct', (q) => q.isDistinct('priority', 1), [2, 3, 4]],
    ]
    for (const [name, apply, expected] of cases) {
      const { data, error } = await apply(base())
      expect(error, name).toBeNull()
      expect(ids(data), name).toEqual(expected)
    }
  })

  it('orders with nulls first or last and several columns', async () => {
    const first = await anon
      .from('todos')
      .select('id')
      .order('priority', { ascending: false, nullsFirst: true })
    expect(ids(first.data)).toEqual([3, 4, 2, 1])
    const last = await anon
      .from('todos')
      .select('id')
      .order('priority', { ascending: true, nullsFirst: false })
    expect(ids(last.data)).toEqual([1, 2, 4, 3])
    const two = await anon.from('todos').select('id').order('done').order('id', { ascending: false })
    expect(ids(two.data)).toEqual([3, 1, 4, 2])
  })

  it('pages with range and limit and counts exactly', async () => {
    const page = await anon.from('todos').select('id', { count: 'exact' }).order('id').range(1, 2)
    expect(page.error).toBeNull()
    expect(ids(page.data)).toEqual([2, 3])
    expect(page.count).toBe(4)
    expect(page.status).toBe(206)
    // PostgREST's rangeStatus compares the rows returned with the total: fewer is 206.
    const wide = await anon.from('todos').select('id', { count: 'exact' }).order('id').range(2, 9)
    expect(wide).toMatchObject({ status: 206, count: 4 })
    expect(ids(wide.data)).toEqual([3, 4])
    const all = await anon.from('todos').select('id', { count: 'exact' }).order('id').range(0, 9)
    expect(all).toMatchObject({ status: 200, count: 4 })
    const limited = await anon.from('todos').select('id').order('id').limit(1)
    expect(ids(limited.data)).toEqual([1])
    const head = await anon.from('todos').select('*', { count: 'exact', head: true }).eq('done', true)
    expect(head.error).toBeNull()
    expect(head.data).toBeNull()
    expect(head.count).toBe(2)
    const past = await anon.from('todos').select('id', { count: 'exact' }).range(10, 12)
    expect(past.status).toBe(416)
    expect(past.error?.code).toBe('PGRST103')
  })

  it('returns one object for single() and refuses zero or many with PGRST116 406', async () => {
    const one = await anon.from('todos').select('id, title').eq('id', 2).single()
    expect(one.data).toEqual({ id: 2, title: 'Call Ann' })
    const none = await anon.from('todos').select('id').eq('id', 99).single()
    expect(none.status).toBe(406)
    expect(none.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 0 rows' })
    const many = await anon.from('todos').select('id').single()
    expect(many.error?.code).toBe('PGRST116')
  })

  it('lets maybeSingle() decide on the client', async () => {
    expect((await anon.from('todos').select('id').eq('id', 99).maybeSingle()).data).toBeNull()
    expect((await anon.from('todos').select('id').eq('id', 1).maybeSingle()).data).toEqual({ id: 1 })
  })

  it('hides rows RLS does not allow, and the service role sees all', async () => {
    expect(ids((await anon.from('todos').select('id').order('id')).data)).toEqual([1, 2, 3, 4])
    expect(ids((await service.from('todos').select('id').order('id')).data)).toEqual([1, 2, 3, 4, 5])
  })

  it('answers malformed queries with 400 and PostgREST codes, and keeps serving', async () => {
    const bad = [
      await anon.from('todos').select('id').filter('id', 'nope', '1'),
      await anon.from('todos').select('id').filter('id', 'in', 'not-a-list'),
      await anon.from('todos').select('id').or('id.eq.1,(broken'),
      await anon.from('todos').select('id').filter('done', 'is', 'maybe'),
      await anon.from('todos').select('id,owner:profiles(name)'),
    ]
    for (const result of bad) {
      expect(result.status).toBe(400)
      expect(result.error?.code).toMatch(/^PGRST(100|200)$/)
      expect(typeof result.error?.message).toBe('string')
    }
    const wrongType = await anon.from('todos').select('id').eq('id', 'abc')
    expect(wrongType).toMatchObject({ status: 400, error: { code: '22P02' } })
    const unknownColumn = await anon.from('todos').select('nope')
    expect(unknownColumn).toMatchObject({ status: 400, error: { code: '42703' } })
    const unknownTable = await anon.from('nope').select()
    expect(unknownTable).toMatchObject({ status: 404, error: { code: 'PGRST205' } })
    const badLimit = await fetch(`${env.url}/rest/v1/todos?limit=-1`, {
      headers: { apikey: env.standIn.keys.anonKey },
    })
    expect(badLimit.status).toBe(400)
    expect((await anon.from('todos').select('id').eq('id', 1)).data).toEqual([{ id: 1 }])
  })

  it('filters enum columns with in(), as functions/ does on conversation modes', async () => {
    await env.db.exec(`
      create type public.todo_mood as enum ('calm', 'busy', 'idle');
      create table public.moods (id int primary key, mood public.todo_mood not null);
      grant select on public.moods to anon;
      insert into public.moods values (1, 'calm'), (2, 'busy'), (3, 'idle');
      notify pgrst;`)
    const { data, error } = await anon.from('moods').select('id').in('mood', ['calm', 'idle']).order('id')
    expect(error).toBeNull()
    expect(ids(data)).toEqual([1, 3])
    expect(ids((await anon.from('moods').select('id').in('mood', [])).data)).toEqual([])
  })
})
