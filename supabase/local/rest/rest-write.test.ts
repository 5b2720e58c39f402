import { readFile } from 'node:fs/promises'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

describe.each(backends)('REST writes through supabase-js (%s)', (backend) => {
  let env: TestStandIn
  let anon: SupabaseClient
  let service: SupabaseClient
  let alice: SupabaseClient
  let bob: SupabaseClient
  let aliceId: string

  async function signedUp(email: string): Promise<[SupabaseClient, string]> {
    const client = env.client()
    const { data, error } = await client.auth.signUp({ email, password: 'secret-pw' })
    expect(error).toBeNull()
    return [client, data.user?.id as string]
  }

  beforeAll(async () => {
    const schema = await readFile(new URL('../testing/todos.sql', import.meta.url), 'utf8')
    env = await startTestStandIn(backend, schema, { maxBodyBytes: 64 * 1024 })
    anon = env.client()
    service = env.client(env.standIn.keys.serviceRoleKey)
    ;[alice, aliceId] = await signedUp('alice@example.test')
    ;[bob] = await signedUp('bob@example.test')
  })
  afterAll(() => env?.close())

  it('inserts one row without returning it (201, no body)', async () => {
    const result = await service.from('tags').insert({ name: 'red', color: '#f00' })
    expect(result).toMatchObject({ status: 201, data: null, error: null })
  })

  it('inserts in bulk and returns the rows with select()', async () => {
    const { data, error, status } = await service
      .from('tags')
      .insert([{ name: 'green', color: '#0f0' }, { name: 'blue' }])
      .select('name, color')
    expect(error).toBeNull()
    expect(status).toBe(201)
    expect(data).toEqual([
      { name: 'green', color: '#0f0' },
      { name: 'blue', color: null },
    ])
  })

  it('inserts nothing for an empty array', async () => {
    const before = (await service.from('tags').select('*', { count: 'exact', head: true })).count
    expect((await service.from('tags').insert([]).select()).data).toEqual([])
    expect((await service.from('tags').select('*', { count: 'exact', head: true })).count).toBe(before)
  })

  it('returns one object for insert().select().single()', async () => {
    const { data } = await service.from('tags').insert({ name: 'pink', hits: 2 }).select().single()
    expect(data).toEqual({ name: 'pink', color: null, hits: 2 })
  })

  it('upserts with merge-duplicates and ignore-duplicates', async () => {
    const merged = await service
      .from('tags')
      .upsert([
        { name: 'red', color: '#e00' },
        { name: 'black', color: '#000' },
      ])
      .select('name, color')
      .order('name')
    expect(merged.error).toBeNull()
    expect(merged.data).toEqual([
      { name: 'black', color: '#000' },
      { name: 'red', color: '#e00' },
    ])
    const ignored = await service
      .from('tags')
      .upsert({ name: 'red', color: '#123' }, { ignoreDuplicates: true })
      .select()
    expect(ignored.data).toEqual([])
    const byColumn = await service
      .from('todos')
      .upsert({ id: 100, title: 'first' }, { onConflict: 'id' })
      .select('id, title')
      .single()
    expect(byColumn.data).toEqual({ id: 100, title: 'first' })
    const again = await service
      .from('todos')
      .upsert({ id: 100, title: 'second' }, { onConflict: 'id' })
      .select('title')
    expect(again.data).toEqual([{ title: 'second' }])
  })

  it('updates and deletes with filters, with and without representation', async () => {
    const updated = await service
      .from('tags')
      .update({ hits: 7 })
      .in('name', ['green', 'blue'])
      .select('name, hits')
    expect(updated.status).toBe(200)
    expect(updated.data).toEqual(
      expect.arrayContaining([
        { name: 'green', hits: 7 },
        { name: 'blue', hits: 7 },
      ]),
    )
    const quiet = await service.from('tags').update({ hits: 8 }).eq('name', 'green')
    expect(quiet).toMatchObject({ status: 204, data: null, error: null })
    const nothing = await service.from('tags').update({ hits: 9 }).eq('name', 'none').select()
    expect(nothing.data).toEqual([])
    const deleted = await service.from('tags').delete().eq('name', 'pink').select('name')
    expect(deleted.data).toEqual([{ name: 'pink' }])
    const counted = await service.from('tags').delete({ count: 'exact' }).eq('name', 'black')
    expect(counted).toMatchObject({ status: 204, count: 1 })
  })

  it('enforces Prefer max-affected with handling=strict and rolls the write back', async () => {
    // What postgrest-js maxAffected() sends (typed only for PostgREST 13 clients, so sent raw here).
    await service.from('tags').insert([{ name: 'm1' }, { name: 'm2' }])
    const patch = (max: number) =>
      fetch(`${env.url}/rest/v1/tags?name=in.(m1,m2)`, {
        method: 'PATCH',
        headers: {
          apikey: env.standIn.keys.serviceRoleKey,
          'Content-Type': 'application/json',
          Prefer: `handling=strict, max-affected=${max}`,
        },
        body: '{"hits":5}',
      })
    const tooMany = await patch(1)
    expect(tooMany.status).toBe(400)
    expect(await tooMany.json()).toMatchObject({ code: 'PGRST124', details: 'The query affects 2 rows' })
    expect((await service.from('tags').select('hits').eq('name', 'm1').single()).data).toEqual({ hits: 0 })
    expect((await patch(2)).status).toBe(204)
    expect((await service.from('tags').select('hits').eq('name', 'm1').single()).data).toEqual({ hits: 5 })
    await service.from('tags').delete().in('name', ['m1', 'm2'])
  })

  it('refuses unfiltered updates and deletes like pg-safeupdate', async () => {
    const update = await service.from('tags').update({ hits: 0 }).neq('name', 'x').select()
    expect(update.error).toBeNull()
    const all = await fetch(`${env.url}/rest/v1/tags`, {
      method: 'PATCH',
      headers: { apikey: env.standIn.keys.serviceRoleKey, 'Content-Type': 'application/json' },
      body: '{"hits":1}',
    })
    expect(all.status).toBe(400)
    expect(await all.json()).toEqual({
      code: '21000',
      details: null,
      hint: null,
      message: 'UPDATE requires a WHERE clause',
    })
    const remove = await fetch(`${env.url}/rest/v1/tags`, {
      method: 'DELETE',
      headers: { apikey: env.standIn.keys.serviceRoleKey },
    })
    expect(((await remove.json()) as { message: string }).message).toBe('DELETE requires a WHERE clause')
  })

  it('maps constraint errors to PostgREST statuses', async () => {
    const duplicate = await service.from('tags').insert({ name: 'red' })
    expect(duplicate.status).toBe(409)
    expect(duplicate.error).toMatchObject({ code: '23505', details: 'Key (name)=(red) already exists.' })
    const notNull = await service.from('todos').insert({ id: 200 })
    expect(notNull).toMatchObject({ status: 400, error: { code: '23502' } })
    const unknownColumn = await service.from('tags').insert({ name: 'x', shade: 'dark' })
    expect(unknownColumn).toMatchObject({ status: 400, error: { code: 'PGRST204' } })
  })

  it('rolls a write back when single() finds several rows', async () => {
    const result = await service.from('tags').update({ color: 'grey' }).neq('name', 'none').select().single()
    expect(result).toMatchObject({ status: 406, error: { code: 'PGRST116' } })
    const grey = await service.from('tags').select('name').eq('color', 'grey')
    expect(grey.data).toEqual([])
  })

  it('lets RLS decide: 401 for anon, 403 for a signed-in user, own rows only', async () => {
    const byAnon = await anon.from('todos').insert({ title: 'sneaky' })
    expect(byAnon.status).toBe(401)
    expect(byAnon.error?.code).toBe('42501')
    const forged = await bob.from('todos').insert({ title: 'as alice', owner: aliceId })
    expect(forged.status).toBe(403)
    expect(forged.error?.code).toBe('42501')
    const own = await alice.from('todos').insert({ title: 'mine', owner: aliceId }).select('title').single()
    expect(own.data).toEqual({ title: 'mine' })
    expect((await bob.from('todos').select('id').eq('owner', aliceId)).data).toEqual([])
    expect((await anon.from('todos').select('id').eq('owner', aliceId)).data).toEqual([])
    const bobUpdate = await bob.from('todos').update({ title: 'hacked' }).eq('owner', aliceId).select()
    expect(bobUpdate.data).toEqual([])
    const bobDelete = await bob.from('todos').delete().eq('owner', aliceId).select()
    expect(bobDelete.data).toEqual([])
    expect((await alice.from('todos').select('title').eq('owner', aliceId)).data).toEqual([{ title: 'mine' }])
    expect((await service.from('todos').select('title').eq('owner', aliceId)).data).toEqual([
      { title: 'mine' },
    ])
  })

  it('answers bad bodies with 400 and oversized ones with 413, and keeps serving', async () => {
    const headers = { apikey: env.standIn.keys.serviceRoleKey, 'Content-Type': 'application/json' }
    const invalid = await fetch(`${env.url}/rest/v1/tags`, { method: 'POST', headers, body: '{"name":' })
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ code: 'PGRST102' })
    // PostgREST reads a body that is neither an object nor an array as no rows.
    const scalar = await fetch(`${env.url}/rest/v1/tags`, { method: 'POST', headers, body: '42' })
    expect(scalar.status).toBe(201)
    const big = await service.from('tags').insert({ name: 'big', color: 'x'.repeat(100 * 1024) })
    expect(big.status).toBe(413)
    expect((await service.from('tags').select('name').eq('name', 'red')).data).toEqual([{ name: 'red' }])
  })
})
