import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type Database, openThrowawayDatabase } from '../src/db/index.ts'
import { type StandIn, startStandIn } from './index.ts'
import { hostileInput } from './testing/hostile-input.ts'

// Hostile input on the stand-in over Relevo's own schema (issue 13): 1,000 generated requests on each
// route family of /rest/v1 (insert, update, read, rpc over every table and function of the live
// catalog), of /auth/v1 (token, signup) and 1,000 hostile realtime frames. None may answer 5xx, the
// server keeps answering, and no row of public changes (anon and an agent, through RLS and grants).
const PER_ROUTE = 1_000

/** A hash of every row of every table in public. */
async function fingerprint(db: Database): Promise<string> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'r' order by 1`,
  )
  const parts: string[] = []
  for (const { name } of tables) {
    const { rows } = await db.query<{ h: string | null }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as h from public.${name} t`,
    )
    parts.push(`${name}=${rows[0]?.h ?? ''}`)
  }
  return parts.join(';')
}

describe('stand-in under hostile input, over Relevo’s schema', () => {
  let db: Database
  let standIn: StandIn
  let tables: string[]
  let functions: string[]
  let columns: string[]
  let tokens: string[]
  const statuses = new Map<string, Map<number, number>>()

  beforeAll(async () => {
    db = await openThrowawayDatabase('pglite', { schema: 'relevo', seed: true })
    standIn = await startStandIn({ db, logger: pino({ level: 'silent' }), port: 0, host: '127.0.0.1' })
    const names = (sql: string) => db.query<{ name: string }>(sql).then((r) => r.rows.map((row) => row.name))
    tables = await names(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    )
    functions = await names(
      `select distinct p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public' order by 1`,
    )
    columns = await names(
      `select distinct a.attname as name from pg_attribute a join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and a.attnum > 0 order by 1`,
    )
    const signIn = await fetch(`${standIn.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: standIn.keys.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@demo.relevo.test', password: 'relevo-demo' }),
    })
    const session = (await signIn.json()) as { access_token: string }
    tokens = [standIn.keys.anonKey, session.access_token]
  }, 120_000)
  afterAll(async () => {
    await standIn?.close()
    await db?.close()
  })

  function count(route: string, status: number, request = '') {
    const seen = statuses.get(route) ?? new Map<number, number>()
    seen.set(status, (seen.get(status) ?? 0) + 1)
    statuses.set(route, seen)
    if (status >= 500) throw new Error(`${route} answered ${status}: ${request}`)
  }

  it(`answers ${PER_ROUTE} generated requests per REST and Auth route without a 5xx, changing no row`, async () => {
    const before = await fingerprint(db)
    const routes: Array<
      [string, (g: ReturnType<typeof hostileInput>) => [string, string, string | undefined]]
    > = [
      ['POST /rest/v1/<table>', (g) => ['POST', `/rest/v1/${g.pick(tables)}`, g.body()]],
      ['PATCH /rest/v1/<table>', (g) => ['PATCH', `/rest/v1/${g.pick(tables)}?${g.query()}`, g.body()]],
      ['DELETE /rest/v1/<table>', (g) => ['DELETE', `/rest/v1/${g.pick(tables)}?${g.query()}`, undefined]],
      ['GET /rest/v1/<table>', (g) => ['GET', `/rest/v1/${g.pick(tables)}?${g.query()}`, undefined]],
      ['POST /rest/v1/rpc/<function>', (g) => ['POST', `/rest/v1/rpc/${g.pick(functions)}`, g.body()]],
      [
        'POST /auth/v1/token',
        (g) => ['POST', `/auth/v1/token?grant_type=${g.pick(['password', 'refresh_token', 'x'])}`, g.body()],
      ],
      ['POST /auth/v1/signup', (g) => ['POST', '/auth/v1/signup', g.body()]],
    ]
    for (const [index, [route, build]] of routes.entries()) {
      const g = hostileInput(index + 13, columns)
      for (let i = 0; i < PER_ROUTE; i++) {
        const [method, path, body] = build(g)
        const token = g.pick(tokens)
        const response = await fetch(`${standIn.url}${path}`, {
          method,
          headers: {
            apikey: standIn.keys.anonKey,
            authorization: `Bearer ${token}`,
            'content-type': g.contentType(),
          },
          ...(body === undefined ? {} : { body }),
        })
        const answer = await response.text()
        count(route, response.status, `${method} ${path} → ${answer.slice(0, 300)}`)
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(await fingerprint(db)).toBe(before)
    const health = await fetch(`${standIn.url}/rest/v1/`, { headers: { apikey: standIn.keys.anonKey } })
    expect(health.status).toBeLessThan(500)
  }, 600_000)

  it(`takes ${PER_ROUTE} hostile realtime frames without a 5xx or a crash, and keeps answering heartbeats`, async () => {
    const g = hostileInput(99, ['topic', 'event', 'payload', 'ref', 'join_ref', 'access_token', 'config'])
    const url = `${standIn.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${standIn.keys.anonKey}&vsn=2.0.0`
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url)
        ws.once('open', () => resolve(ws))
        ws.once('error', reject)
      })
    let ws = await open()
    let closes = 0
    for (let i = 0; i < PER_ROUTE; i++) {
      if (ws.readyState !== WebSocket.OPEN) {
        closes += 1
        ws = await open()
      }
      const frame =
        g.next() < 0.3
          ? g.body()
          : JSON.stringify([
              g.value(1),
              String(i),
              g.pick([
                'realtime:tenant:00000000-0000-4000-8000-000000000001',
                'phoenix',
                g.body().slice(0, 300),
              ]),
              g.pick(['phx_join', 'broadcast', 'presence', 'access_token', 'heartbeat', 'phx_leave', 'x']),
              g.value(0),
            ])
      ws.send(frame)
      // Let the server read what was sent before the next frame (a closed socket is reopened).
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    ws.close()
    const fresh = await open()
    const replied = new Promise<unknown[]>((resolve) =>
      fresh.on('message', (data) => resolve(JSON.parse(String(data)) as unknown[])),
    )
    fresh.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}]))
    expect((await replied)[3]).toBe('phx_reply')
    fresh.close()
    const report = Object.fromEntries([...statuses].map(([route, seen]) => [route, Object.fromEntries(seen)]))
    process.stdout.write(
      `stand-in fuzz: ${[...statuses.values()].reduce((n, seen) => n + [...seen.values()].reduce((a, b) => a + b, 0), 0)} HTTP requests over ${tables.length} tables and ${functions.length} functions, statuses ${JSON.stringify(report)}; ${PER_ROUTE} realtime frames, ${closes} sockets closed for garbage\n`,
    )
  }, 300_000)
})
