import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { restClient } from '../testing/http.ts'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

/**
 * Contract cases from PostgREST 14's resource-embedding reference: one-to-one, self-referencing
 * and empty embeds, ambiguity (PGRST201 with its list of relationships) and one name used twice.
 */
const SCHEMA = `
create table public.users (id int primary key, name text not null);
create table public.profiles (user_id int primary key references public.users (id), bio text);
create table public.posts (
  id int primary key, title text not null,
  author_id int references public.users (id), editor_id int references public.users (id));
create table public.employees (id int primary key, name text not null, manager_id int references public.employees (id));
insert into public.users values (1, 'ann'), (2, 'bob');
insert into public.profiles values (1, 'hi');
insert into public.posts values (1, 'p1', 1, 2), (2, 'p2', 2, null);
insert into public.employees values (1, 'boss', null), (2, 'ann', 1), (3, 'cid', 1);
`

describe.each(backends)('PostgREST contract: resource embedding (%s)', (backend) => {
  let env: TestStandIn
  let anon: SupabaseClient
  let rest: ReturnType<typeof restClient>

  beforeAll(async () => {
    env = await startTestStandIn(backend, SCHEMA)
    anon = env.client()
    rest = restClient(env.url, env.standIn.keys.anonKey)
  })
  afterAll(() => env?.close())

  it('embeds a one-to-one relationship as an object from both sides', async () => {
    const users = await anon.from('users').select('name, profiles(bio)').order('id')
    expect(users).toMatchObject({ status: 200, error: null })
    expect(users.data).toEqual([
      { name: 'ann', profiles: { bio: 'hi' } },
      { name: 'bob', profiles: null },
    ])
    const profiles = await anon.from('profiles').select('bio, users(name)')
    expect(profiles.data).toEqual([{ bio: 'hi', users: { name: 'ann' } }])
  })

  it('leaves an empty embed out of the output and still filters with !inner', async () => {
    const posts = await rest('GET', 'posts?select=title,users!posts_author_id_fkey()&order=id')
    expect([posts.status, posts.json()]).toEqual([200, [{ title: 'p1' }, { title: 'p2' }]])
    const inner = await anon
      .from('posts')
      .select('title, users!posts_author_id_fkey!inner()')
      .eq('users.name', 'bob')
    expect(inner.data).toEqual([{ title: 'p2' }])
  })

  it('resolves a self-referencing key: the table name means the children, the column the parent', async () => {
    const children = await anon.from('employees').select('name, employees(name)').eq('id', 1).single()
    expect(children.data).toEqual({ name: 'boss', employees: [{ name: 'ann' }, { name: 'cid' }] })
    const parent = await anon.from('employees').select('name, manager_id(name)').eq('id', 2).single()
    expect(parent.data).toEqual({ name: 'ann', manager_id: { name: 'boss' } })
    const hinted = await anon.from('employees').select('name, reports:employees!manager_id(name)').eq('id', 3)
    expect(hinted.data).toEqual([{ name: 'cid', reports: [] }])
  })

  it('answers an ambiguous embed with 300 PGRST201 listing each relationship', async () => {
    const response = await rest('GET', 'posts?select=title,users(name)')
    expect(response.status).toBe(300)
    expect(response.json()).toEqual({
      code: 'PGRST201',
      details: [
        {
          cardinality: 'many-to-one',
          embedding: 'posts with users',
          relationship: 'posts_author_id_fkey using posts(author_id) and users(id)',
        },
        {
          cardinality: 'many-to-one',
          embedding: 'posts with users',
          relationship: 'posts_editor_id_fkey using posts(editor_id) and users(id)',
        },
      ],
      hint: "Try changing 'users' to one of the following: 'users!posts_author_id_fkey', 'users!posts_editor_id_fkey'. Find the desired relationship in the 'details' key.",
      message: "Could not embed because more than one relationship was found for 'posts' and 'users'",
    })
    const viaClient = await anon.from('posts').select('title, users(name)')
    expect(viaClient).toMatchObject({ status: 300, data: null, error: { code: 'PGRST201' } })
  })

  it('refuses one name used for two embeds with 400 42712, as Postgres does for PostgREST', async () => {
    const response = await rest(
      'GET',
      'users?select=name,posts!posts_author_id_fkey(title),posts!posts_editor_id_fkey(title)',
    )
    expect([response.status, response.json()]).toEqual([
      400,
      {
        code: '42712',
        details: null,
        hint: null,
        message: 'table name "users_posts_1" specified more than once',
      },
    ])
    const aliased = await anon
      .from('users')
      .select('name, wrote:posts!posts_author_id_fkey(title), edited:posts!posts_editor_id_fkey(title)')
      .eq('id', 2)
    expect(aliased.data).toEqual([{ name: 'bob', wrote: [{ title: 'p2' }], edited: [{ title: 'p1' }] }])
  })

  it('refuses a null filter on an embed, which it cannot apply', async () => {
    const response = await rest(
      'GET',
      'posts?select=title,users!posts_editor_id_fkey(name)&users=not.is.null',
    )
    expect([response.status, (response.json() as { code: string }).code]).toEqual([400, 'PGRST127'])
  })
})
