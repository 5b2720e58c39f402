import { readFile } from 'node:fs/promises'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

const SEED = `
insert into public.todos (id, title, done, priority) values
  (1, 'one', false, 1), (2, 'two', true, 2), (3, 'three', true, 3);
`

describe.each(backends)('RPC through supabase-js (%s)', (backend) => {
  let env: TestStandIn
  let anon: SupabaseClient

  beforeAll(async () => {
    const schema = await readFile(new URL('../testing/todos.sql', import.meta.url), 'utf8')
    env = await startTestStandIn(backend, schema + SEED)
    anon = env.client()
  })
  afterAll(() => env?.close())

  it('returns a scalar as bare JSON, with defaults for missing arguments', async () => {
    expect(await anon.rpc('add', { a: 1, b: 2 })).toMatchObject({ data: 3, status: 200, error: null })
    expect((await anon.rpc('add', { a: 5 })).data).toBe(5)
  })

  it('passes JSON and array arguments in their declared types', async () => {
    const { data } = await anon.rpc('echo', { payload: { x: [1, 'two'] }, tags: ['a', 'b'] })
    expect(data).toEqual({ payload: { x: [1, 'two'] }, tags: ['a', 'b'] })
  })

  it('returns rows for setof functions, with filters, order, range and count', async () => {
    const { data, count } = await anon
      .rpc('todos_done', { is_done: true }, { count: 'exact' })
      .select('id, title')
      .gte('priority', 2)
      .order('id', { ascending: false })
      .range(0, 0)
    expect(data).toEqual([{ id: 3, title: 'three' }])
    expect(count).toBe(2)
    const single = await anon.rpc('todos_done', { is_done: false }).select('title').single()
    expect(single.data).toEqual({ title: 'one' })
  })

  it('returns an array of values for setof scalars and an object for a row type', async () => {
    expect((await anon.rpc('numbers', { n: 3 })).data).toEqual([1, 2, 3])
    expect((await anon.rpc('first_todo')).data).toMatchObject({ id: 1, title: 'one' })
  })

  it('answers void functions with 204 and GET calls with query arguments', async () => {
    expect(await anon.rpc('noop')).toMatchObject({ status: 204, data: null, error: null })
    expect((await anon.rpc('add', { a: 2, b: 40 }, { get: true })).data).toBe(42)
    const filtered = await anon.rpc('todos_done', { is_done: true }, { get: true }).select('id').eq('id', 2)
    expect(filtered.data).toEqual([{ id: 2 }])
    const head = await anon.rpc('todos_done', { is_done: true }, { head: true, count: 'exact', get: true })
    expect(head).toMatchObject({ data: null, count: 2, error: null })
  })

  it('reports unknown functions, raised exceptions and custom statuses like PostgREST', async () => {
    const unknown = await anon.rpc('nope', { a: 1 })
    expect(unknown.status).toBe(404)
    expect(unknown.error).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function public.nope(a) in the schema cache',
    })
    const wrongArgs = await anon.rpc('add', { z: 1 })
    expect(wrongArgs.error?.code).toBe('PGRST202')
    const raised = await anon.rpc('fail')
    expect(raised.status).toBe(400)
    expect(raised.error).toEqual({
      code: 'P0001',
      details: 'on purpose',
      hint: 'try again',
      message: 'nothing to see',
    })
    const teapot = await anon.rpc('teapot')
    expect(teapot.status).toBe(418)
    const badType = await anon.rpc('add', { a: 'x' })
    expect(badType).toMatchObject({ status: 400, error: { code: '22P02' } })
  })
})
