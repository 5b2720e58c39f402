import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pick, type RawResponse, restClient } from '../testing/http.ts'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

/**
 * Contract cases written from PostgREST 14's API reference (preferences, media types, upsert,
 * functions, counting) and its error table: each asserts status, headers and body, through raw
 * HTTP and through the unmodified supabase-js. Anything the stand-in does not do is a 4xx.
 */
const SCHEMA = `
create table public.items (id int primary key, name text not null, note text, qty int not null default 0);
insert into public.items values (1, 'a', null, 1), (2, 'b', 'x', 2), (3, 'c', null, 3);
create table public.logs (id int generated always as identity primary key, msg text not null);
create function public.all_items() returns setof public.items language sql stable
  as $$ select * from public.items order by id $$;
create function public.bump(by int) returns setof public.items language sql
  as $$ update public.items set qty = qty + by returning * $$;
create function public.total() returns int language sql stable as $$ select sum(qty)::int from public.items $$;
create function public.log_it(m text) returns void language sql as $$ insert into public.logs (msg) values (m) $$;
create function public.pick(x int) returns text language sql as $$ select 'int' $$;
create function public.pick(x text) returns text language sql as $$ select 'text' $$;
create function public.pick_one(x int, y int default 0) returns text language sql as $$ select 'x,y' $$;
create function public.pick_one(x int, z text) returns text language sql as $$ select 'x,z' $$;
create function public.whole(jsonb) returns jsonb language sql as $$ select $1 $$;
create function public.unnamed(int) returns int language sql as $$ select $1 $$;
create function public.nothing() returns jsonb language sql as $$ select '{"a": null, "b": 1}'::jsonb $$;
`
const JSON_TYPE = 'application/json; charset=utf-8'

describe.each(backends)('PostgREST contract: preferences, media types and functions (%s)', (backend) => {
  let env: TestStandIn
  let anon: SupabaseClient
  let rest: ReturnType<typeof restClient>
  const qty = async () =>
    ((await anon.from('items').select('id, qty').order('id')).data ?? []).map((r) => r.qty as number)

  beforeAll(async () => {
    env = await startTestStandIn(backend, SCHEMA)
    anon = env.client()
    rest = restClient(env.url, env.standIn.keys.anonKey)
  })
  afterAll(() => env?.close())

  it('strips null keys for Accept …;nulls=stripped, arrays and objects (supabase-js stripNulls)', async () => {
    const list = await anon.from('items').select('id, note').order('id').stripNulls()
    expect(list).toMatchObject({ status: 200, error: null })
    expect(list.data).toEqual([{ id: 1 }, { id: 2, note: 'x' }, { id: 3 }])
    const one = await rest('GET', 'items?select=id,note&id=eq.1', {
      headers: { Accept: 'application/vnd.pgrst.object+json;nulls=stripped' },
    })
    expect([one.status, one.json()]).toEqual([200, { id: 1 }])
    expect(pick(one.headers, 'content-type', 'content-range')).toEqual({
      'content-type': 'application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8',
      'content-range': '0-0/*',
    })
    const array = await rest('GET', 'items?select=id,note&id=eq.3', {
      headers: { Accept: 'application/vnd.pgrst.array+json;nulls=stripped' },
    })
    expect(array.headers.get('content-type')).toBe(
      'application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8',
    )
    expect(array.json()).toEqual([{ id: 3 }])
    // Without nulls=stripped the array media type is plain JSON.
    const plain = await rest('GET', 'items?select=id,note&id=eq.3', {
      headers: { Accept: 'application/vnd.pgrst.array+json' },
    })
    expect([plain.headers.get('content-type'), plain.json()]).toEqual([JSON_TYPE, [{ id: 3, note: null }]])
    const rpc = await anon.rpc('nothing').stripNulls()
    expect(rpc.data).toEqual({ b: 1 })
  })

  it('answers 406 PGRST107 for media types it does not produce, naming the stand-in where PostgREST would', async () => {
    const xml = await rest('GET', 'items', { headers: { Accept: 'application/xml' } })
    expect([xml.status, xml.json()]).toEqual([
      406,
      {
        code: 'PGRST107',
        details: null,
        hint: null,
        message: 'None of these media types are available: application/xml',
      },
    ])
    const csv = await rest('GET', 'items', { headers: { Accept: 'text/csv' } })
    expect(csv.status).toBe(406)
    expect(csv.json()).toMatchObject({ code: 'PGRST107', details: expect.stringContaining('local stand-in') })
    // The first acceptable type in the client's order wins; */* means JSON.
    const any = await rest('GET', 'items?id=eq.1&select=id', { headers: { Accept: 'application/xml, */*' } })
    expect([any.status, any.headers.get('content-type'), any.json()]).toEqual([200, JSON_TYPE, [{ id: 1 }]])
  })

  it('reads Prefer as PostgREST: Preference-Applied, lenient by default, 400 PGRST122 with handling=strict', async () => {
    const counted = await rest('GET', 'items?select=id', { headers: { Prefer: 'count=exact, nonsense' } })
    expect(counted.status).toBe(200)
    expect(pick(counted.headers, 'preference-applied', 'content-range', 'content-location')).toEqual({
      'preference-applied': 'count=exact',
      'content-range': '0-2/3',
      'content-location': '/items?select=id',
    })
    // Content-Location: parameters sorted, same names joined, reserved characters percent-encoded.
    const located = await rest('GET', 'items?select=id,name&order=id&id=gt.0&id=lt.9', {
      headers: { 'Accept-Profile': 'public' },
    })
    expect(pick(located.headers, 'content-location', 'content-profile')).toEqual({
      'content-location': '/items?id=gt.0,lt.9&order=id&select=id%2Cname',
      'content-profile': 'public',
    })
    const strict = await rest('GET', 'items', {
      headers: { Prefer: 'handling=strict, nonsense, count=exact' },
    })
    expect(strict.headers.get('content-type')).toBe(JSON_TYPE)
    expect([strict.status, strict.json()]).toEqual([
      400,
      {
        code: 'PGRST122',
        details: 'Invalid preferences: nonsense',
        hint: null,
        message: 'Invalid preferences given with handling=strict',
      },
    ])
    const timezone = await rest('GET', 'items', { headers: { Prefer: 'timezone=Europe/Rome' } })
    expect([timezone.status, (timezone.json() as { code: string }).code]).toEqual([400, 'PGRST127'])
  })

  it('refuses Prefer: tx=rollback as Supabase does not honour it, and changes nothing', async () => {
    const refused = await rest('POST', 'items', {
      headers: { Prefer: 'tx=rollback, return=representation' },
      body: JSON.stringify({ id: 9, name: 'z' }),
    })
    expect(refused.status).toBe(400)
    expect(refused.json()).toMatchObject({
      code: 'PGRST127',
      message: 'Prefer: tx=rollback is not supported by the local stand-in',
      hint: null,
    })
    expect((await anon.from('items').select('id').eq('id', 9)).data).toEqual([])
  })

  it('answers an upsert that only updated with 200 and one that inserted with 201', async () => {
    const updated = await rest('POST', 'items?on_conflict=id', {
      headers: { Prefer: 'resolution=merge-duplicates, return=representation' },
      body: JSON.stringify([{ id: 1, name: 'a2' }]),
    })
    expect([updated.status, updated.json()]).toEqual([200, [{ id: 1, name: 'a2', note: null, qty: 1 }]])
    expect(pick(updated.headers, 'content-range', 'content-type', 'preference-applied')).toEqual({
      'content-range': '*/*',
      'content-type': JSON_TYPE,
      'preference-applied': 'resolution=merge-duplicates, return=representation',
    })
    const viaClient = await anon.from('items').upsert({ id: 1, name: 'a' })
    expect(viaClient).toMatchObject({ status: 200, data: null, error: null })
    const mixed = await anon
      .from('items')
      .upsert([
        { id: 1, name: 'a' },
        { id: 4, name: 'd' },
      ])
      .select('id')
    expect(mixed).toMatchObject({ status: 201, data: [{ id: 1 }, { id: 4 }] })
    // ignore-duplicates is always 201, like a plain insert.
    const ignored = await anon.from('items').upsert({ id: 1, name: 'zzz' }, { ignoreDuplicates: true })
    expect(ignored).toMatchObject({ status: 201, error: null })
    expect((await anon.from('items').select('name').eq('id', 1)).data).toEqual([{ name: 'a' }])
    await rest('DELETE', 'items?id=eq.4')
  })

  it('sends PostgREST Content-Range on writes: */* for insert and delete, 0-(n-1)/n for a counted update', async () => {
    const insert = await rest('POST', 'logs', { body: JSON.stringify({ msg: 'x' }) })
    expect([insert.status, insert.text, insert.headers.get('content-range')]).toEqual([201, '', '*/*'])
    const update = await rest('PATCH', 'logs?msg=eq.x', {
      headers: { Prefer: 'count=exact' },
      body: '{"msg":"y"}',
    })
    expect([update.status, update.text]).toEqual([204, ''])
    expect(pick(update.headers, 'content-range', 'preference-applied')).toEqual({
      'content-range': '0-0/1',
      'preference-applied': 'count=exact',
    })
    const remove = await rest('DELETE', 'logs?msg=eq.y', { headers: { Prefer: 'count=exact' } })
    expect([remove.status, remove.headers.get('content-range')]).toEqual([204, '*/1'])
  })

  it('answers an empty insert body with 400 PGRST102 and inserts nothing for a scalar body', async () => {
    const empty = await rest('POST', 'items', { body: '' })
    expect([empty.status, empty.json()]).toEqual([
      400,
      { code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' },
    ])
    const keys = await rest('POST', 'items', { body: JSON.stringify([{ id: 7, name: 'g' }, { id: 8 }]) })
    expect([keys.status, (keys.json() as { message: string }).message]).toEqual([
      400,
      'All object keys must match',
    ])
    expect((await anon.from('items').select('id', { count: 'exact', head: true })).count).toBe(3)
    // An empty body calls a function without arguments.
    const call = await rest('POST', 'rpc/total', { body: '' })
    expect([call.status, call.json()]).toEqual([200, 6])
  })

  it('enforces max-affected with handling=strict on updates and set-returning functions (PGRST124)', async () => {
    const update = await anon.from('items').update({ qty: 0 }).gt('id', 0).maxAffected(2)
    expect(update).toMatchObject({
      status: 400,
      error: {
        code: 'PGRST124',
        details: 'The query affects 3 rows',
        hint: null,
        message: 'Query result exceeds max-affected preference constraint',
      },
    })
    const bump = await rest('POST', 'rpc/bump', {
      headers: { Prefer: 'handling=strict, max-affected=2' },
      body: '{"by": 10}',
    })
    expect([bump.status, (bump.json() as { code: string }).code]).toEqual([400, 'PGRST124'])
    expect(await qty()).toEqual([1, 2, 3])
    const allowed = await rest('POST', 'rpc/bump', {
      headers: { Prefer: 'handling=strict, max-affected=3' },
      body: '{"by": 0}',
    })
    expect(allowed.status).toBe(200)
    expect(pick(allowed.headers, 'preference-applied', 'content-range')).toEqual({
      'preference-applied': 'handling=strict, max-affected=3',
      'content-range': '0-2/*',
    })
    const single = await rest('POST', 'rpc/total', {
      headers: { Prefer: 'handling=strict, max-affected=1' },
      body: '{}',
    })
    expect([single.status, single.json()]).toEqual([
      400,
      {
        code: 'PGRST128',
        details: null,
        hint: null,
        message:
          'Function must return SETOF or TABLE when max-affected preference is used with handling=strict',
      },
    ])
  })

  it('counts function results: Content-Range on every call, count for supabase-js', async () => {
    const scalar = await anon.rpc('total', {}, { count: 'exact' })
    expect(scalar).toMatchObject({ status: 200, data: 6, count: 1 })
    const rows = await anon.rpc('all_items', {}, { count: 'exact' }).range(0, 1)
    expect(rows).toMatchObject({ status: 206, count: 3 })
    expect(rows.data?.length).toBe(2)
    const raw = await rest('POST', 'rpc/total', { body: '{}' })
    expect(pick(raw.headers, 'content-range', 'content-type')).toEqual({
      'content-range': '0-0/*',
      'content-type': JSON_TYPE,
    })
    const voided = await rest('POST', 'rpc/log_it', {
      headers: { Prefer: 'count=exact' },
      body: '{"m":"hi"}',
    })
    expect([voided.status, voided.text]).toEqual([204, ''])
    expect(pick(voided.headers, 'content-range', 'content-type')).toEqual({
      'content-range': '0-0/1',
      'content-type': null,
    })
  })

  it('answers HEAD with a planned count from the planner, 206 when it exceeds the rows returned', async () => {
    const plan = await env.db.query<{ 'QUERY PLAN': unknown }>(
      'explain (format json) select 1 from public.items as "_t"',
    )
    const raw = plan.rows[0]?.['QUERY PLAN']
    const planned = (
      (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { 'Plan Rows': number } }[]
    )[0]?.Plan['Plan Rows']
    const head = await anon.from('items').select('*', { count: 'planned', head: true })
    expect(head).toMatchObject({ count: planned, data: null, error: null })
    expect(head.status).toBe((planned ?? 0) > 3 ? 206 : 200)
    // Estimated is exact up to max-rows (1000 on Supabase).
    const estimated = await rest('HEAD', 'items', { headers: { Prefer: 'count=estimated' } })
    expect([estimated.status, estimated.headers.get('content-range'), estimated.text]).toEqual([
      200,
      '0-2/3',
      '',
    ])
  })

  it('resolves overloads as PostgREST: 300 PGRST203 when ambiguous, whole body for one unnamed json parameter', async () => {
    const ambiguous = await rest('POST', 'rpc/pick', { body: '{"x": 1}' })
    expect([ambiguous.status, ambiguous.json()]).toEqual([
      300,
      {
        code: 'PGRST203',
        details: null,
        hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
        message:
          'Could not choose the best candidate function between: public.pick(x => integer), public.pick(x => text)',
      },
    ])
    expect((await anon.rpc('pick_one', { x: 1, z: 'two' })).data).toBe('x,z')
    expect((await anon.rpc('pick_one', { x: 1 })).data).toBe('x,y')
    expect((await anon.rpc('whole', { any: [1, null] })).data).toEqual({ any: [1, null] })
    const unnamed = await rest('POST', 'rpc/unnamed', { body: '{"": 1}' })
    expect([unnamed.status, (unnamed.json() as { code: string }).code]).toEqual([404, 'PGRST202'])
  })
})

describe.each(backends)(
  'PostgREST contract: Prefer tx=rollback where db-tx-end allows it (%s)',
  (backend) => {
    let env: TestStandIn
    let rest: (
      method: string,
      path: string,
      options?: { headers?: Record<string, string>; body?: string },
    ) => Promise<RawResponse>

    beforeAll(async () => {
      env = await startTestStandIn(backend, SCHEMA, { txEnd: 'commit-allow-override' })
      rest = restClient(env.url, env.standIn.keys.anonKey)
    })
    afterAll(() => env?.close())

    it('answers as if committed, then rolls back inserts, updates and function calls', async () => {
      const client = env.client()
      const insert = await client.from('items').insert({ id: 9, name: 'z' }).select('id, name').rollback()
      expect(insert).toMatchObject({ status: 201, data: [{ id: 9, name: 'z' }], error: null })
      const update = await rest('PATCH', 'items?id=eq.1', {
        headers: { Prefer: 'tx=rollback, return=representation' },
        body: '{"name":"changed"}',
      })
      expect([update.status, update.json()]).toEqual([200, [{ id: 1, name: 'changed', note: null, qty: 1 }]])
      expect(update.headers.get('preference-applied')).toBe('return=representation, tx=rollback')
      const call = await rest('POST', 'rpc/log_it', { headers: { Prefer: 'tx=rollback' }, body: '{"m":"x"}' })
      expect([call.status, call.headers.get('preference-applied')]).toEqual([204, 'tx=rollback'])
      expect((await client.from('items').select('id, name').order('id')).data).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
        { id: 3, name: 'c' },
      ])
      expect((await client.from('logs').select('id')).data).toEqual([])
    })
  },
)
