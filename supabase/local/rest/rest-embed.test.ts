import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

const SCHEMA = `
create table public.teams (id int primary key, name text not null);
create table public.people (
  id int primary key, name text not null,
  team_id int references public.teams (id), mentor_id int references public.people (id));
create table public.tasks (
  id int primary key, title text not null,
  assignee_id int references public.people (id), reviewer_id int references public.people (id));
alter table public.tasks enable row level security;
create policy "Anyone reads tasks but t3" on public.tasks for select to anon using (title <> 't3');
insert into public.teams values (1, 'Red'), (2, 'Blue'), (3, 'Empty');
insert into public.people values (1, 'Ann', 1, null), (2, 'Bob', 1, 1), (3, 'Cid', 2, null), (4, 'Dee', null, null);
insert into public.tasks values (1, 't1', 1, 2), (2, 't2', 1, null), (3, 't3', 3, 1);
`

describe.each(backends)('resource embedding through supabase-js (%s)', (backend) => {
  let env: TestStandIn
  let anon: SupabaseClient
  let service: SupabaseClient

  beforeAll(async () => {
    env = await startTestStandIn(backend, SCHEMA)
    anon = env.client()
    service = env.client(env.standIn.keys.serviceRoleKey)
  })
  afterAll(() => env?.close())

  it('embeds many-to-one as an object or null', async () => {
    const { data, error } = await anon.from('people').select('name, team:teams(name)').order('id')
    expect(error).toBeNull()
    expect(data).toEqual([
      { name: 'Ann', team: { name: 'Red' } },
      { name: 'Bob', team: { name: 'Red' } },
      { name: 'Cid', team: { name: 'Blue' } },
      { name: 'Dee', team: null },
    ])
    const byColumn = await anon.from('people').select('name, mentor:mentor_id(name)').eq('id', 2).single()
    expect(byColumn.data).toEqual({ name: 'Bob', mentor: { name: 'Ann' } })
  })

  it('embeds one-to-many as an array, with order and limit on the embed', async () => {
    const { data } = await anon
      .from('teams')
      .select('name, people(name)')
      .order('id')
      .order('name', { referencedTable: 'people', ascending: false })
    expect(data).toEqual([
      { name: 'Red', people: [{ name: 'Bob' }, { name: 'Ann' }] },
      { name: 'Blue', people: [{ name: 'Cid' }] },
      { name: 'Empty', people: [] },
    ])
    const limited = await anon
      .from('teams')
      .select('name, people(name)')
      .eq('id', 1)
      .order('name', { referencedTable: 'people' })
      .limit(1, { referencedTable: 'people' })
    expect(limited.data).toEqual([{ name: 'Red', people: [{ name: 'Ann' }] }])
  })

  it('nests embeds and applies RLS inside them', async () => {
    const { data } = await anon
      .from('teams')
      .select('name, people(name, tasks!assignee_id(title))')
      .eq('id', 1)
      .order('id', { referencedTable: 'people' })
    expect(data).toEqual([
      {
        name: 'Red',
        people: [
          { name: 'Ann', tasks: [{ title: 't1' }, { title: 't2' }] },
          { name: 'Bob', tasks: [] },
        ],
      },
    ])
    const hidden = await anon.from('people').select('name, tasks!assignee_id(title)').eq('id', 3).single()
    expect(hidden.data).toEqual({ name: 'Cid', tasks: [] })
    const all = await service.from('people').select('name, tasks!assignee_id(title)').eq('id', 3).single()
    expect(all.data).toEqual({ name: 'Cid', tasks: [{ title: 't3' }] })
  })

  it('needs a hint when two foreign keys qualify (300 PGRST201)', async () => {
    const ambiguous = await anon.from('people').select('name, tasks(title)')
    expect(ambiguous.status).toBe(300)
    expect(ambiguous.error?.code).toBe('PGRST201')
    const reviewed = await anon.from('people').select('name, tasks!reviewer_id(title)').eq('id', 2).single()
    expect(reviewed.data).toEqual({ name: 'Bob', tasks: [{ title: 't1' }] })
  })

  it('filters embedded rows, and parents too with !inner', async () => {
    const filtered = await anon
      .from('teams')
      .select('name, people(name)')
      .eq('people.name', 'Ann')
      .order('id')
    expect(filtered.data).toEqual([
      { name: 'Red', people: [{ name: 'Ann' }] },
      { name: 'Blue', people: [] },
      { name: 'Empty', people: [] },
    ])
    const inner = await anon
      .from('people')
      .select('name, teams!inner(name)', { count: 'exact' })
      .eq('teams.name', 'Red')
      .order('id')
    expect(inner.data).toEqual([
      { name: 'Ann', teams: { name: 'Red' } },
      { name: 'Bob', teams: { name: 'Red' } },
    ])
    expect(inner.count).toBe(2)
    const orInside = await anon
      .from('teams')
      .select('name, people!inner(name)')
      .or('name.eq.Cid,name.eq.Dee', { referencedTable: 'people' })
    expect(orInside.data).toEqual([{ name: 'Blue', people: [{ name: 'Cid' }] }])
  })

  it('embeds in the representation of a write', async () => {
    const { data } = await service
      .from('tasks')
      .insert({ id: 9, title: 't9', assignee_id: 3 })
      .select('title, assignee:people!assignee_id(name, team:teams(name))')
      .single()
    expect(data).toEqual({ title: 't9', assignee: { name: 'Cid', team: { name: 'Blue' } } })
  })

  it('refuses unknown relationships and filters on resources not embedded', async () => {
    const unknown = await anon.from('teams').select('name, nope(*)')
    expect(unknown).toMatchObject({ status: 400, error: { code: 'PGRST200' } })
    const notEmbedded = await anon.from('teams').select('name').eq('people.name', 'Ann')
    expect(notEmbedded).toMatchObject({ status: 400, error: { code: 'PGRST108' } })
    const rpc = await anon.rpc('nope_fn').select('x(*)')
    expect(rpc.status).toBeGreaterThanOrEqual(400)
  })
})
