import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

// Requests no client library would build, sent raw: each must get a 4xx in PostgREST's shape.
const BAD_READS = [
  'select=,,',
  'select=id::',
  'select=id::int;drop',
  'select=a:',
  'order=.desc',
  'order=id.sideways.up',
  'or=()',
  'or=(and())',
  'or=(id.eq.1',
  'and=id.eq.1',
  'id=in.(1,2',
  'id=cs.{1',
  'tags=cs.{1,2}x',
  'meta->=eq.1',
  'id=eq.1&limit=abc',
  'offset=-1',
  'limit=99999999999999999999',
  'id=fts(no_such_config).x',
  'title=match.(',
  'nope.nested=eq.1',
  '__proto__.x=eq.1',
  'constructor.order=id',
  'select="unterminated',
  'id=is.maybe',
]

describe('malformed requests never reach a 500', () => {
  let env: TestStandIn
  let headers: Record<string, string>

  beforeAll(async () => {
    env = await startTestStandIn(
      'pglite',
      await readFile(new URL('../testing/todos.sql', import.meta.url), 'utf8'),
    )
    headers = { apikey: env.standIn.keys.serviceRoleKey, 'Content-Type': 'application/json' }
  })
  afterAll(() => env?.close())

  async function expectClientError(response: Response, label: string) {
    expect(response.status, label).toBeGreaterThanOrEqual(400)
    expect(response.status, label).toBeLessThan(500)
    const body = (await response.json()) as Record<string, unknown>
    expect(Object.keys(body).sort(), label).toEqual(['code', 'details', 'hint', 'message'])
  }

  it('refuses malformed query strings', async () => {
    for (const query of BAD_READS) {
      await expectClientError(await fetch(`${env.url}/rest/v1/todos?${query}`, { headers }), query)
    }
  })

  it('refuses malformed bodies and arguments', async () => {
    const send = (method: string, path: string, body: string, extra: Record<string, string> = {}) =>
      fetch(`${env.url}/rest/v1/${path}`, { method, headers: { ...headers, ...extra }, body })
    const cases: [string, Promise<Response>][] = [
      ['insert an empty body', send('POST', 'todos', '')],
      ['insert an array of numbers', send('POST', 'todos', '[1,2]')],
      ['insert bad json', send('POST', 'todos', '{"title": }')],
      ['insert unknown column list', send('POST', 'todos?columns=nope', '[{"title":"x"}]')],
      ['insert a wrong type', send('POST', 'todos', '{"title":"x","priority":"high"}')],
      ['insert an object into an array column', send('POST', 'todos', '{"title":"x","tags":{"a":1}}')],
      [
        'upsert on an unknown column',
        send('POST', 'todos?on_conflict=nope', '{"title":"x"}', { Prefer: 'resolution=merge-duplicates' }),
      ],
      ['update with an array', send('PATCH', 'todos?id=eq.1', '[{"title":"x"}]')],
      ['update an unknown column', send('PATCH', 'todos?id=eq.1', '{"nope":1}')],
      ['rpc with an array', send('POST', 'rpc/add', '[1,2]')],
      ['rpc with unknown arguments', send('POST', 'rpc/add', '{"a":1,"zzz":2}')],
      ['rpc with a bad argument type', send('POST', 'rpc/add', '{"a":"one"}')],
      ['unknown function by GET', fetch(`${env.url}/rest/v1/rpc/nope?x=1`, { headers })],
      ['limit on delete', send('DELETE', 'todos?id=eq.1&limit=1', '')],
      ['csv', fetch(`${env.url}/rest/v1/todos`, { headers: { ...headers, Accept: 'text/csv' } })],
    ]
    for (const [label, response] of cases) await expectClientError(await response, label)
  })

  it('keeps serving afterwards', async () => {
    const response = await fetch(`${env.url}/rest/v1/todos?select=id&limit=1`, { headers })
    expect(response.status).toBe(200)
  })
})
