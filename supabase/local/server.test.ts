import { SignJWT } from 'jose'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startStandIn } from './index.ts'
import { createApiKeys } from './keys.ts'
import { restClient } from './testing/http.ts'
import { startTestStandIn, type TestStandIn } from './testing/stand-in.ts'

const TABLE = `
create table public.items (id int primary key, secret text);
alter table public.items enable row level security;
create policy "Signed-in users read items" on public.items for select to authenticated using (true);
insert into public.items values (1, 'x');
`

describe('gateway, CORS and JWTs', () => {
  let env: TestStandIn
  const sign = (claims: Record<string, unknown>, secret = env.standIn.keys.jwtSecret) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(secret))
  const get = (path: string, headers: Record<string, string>) => fetch(`${env.url}${path}`, { headers })

  beforeAll(async () => {
    env = await startTestStandIn('pglite', TABLE)
  })
  afterAll(() => env?.close())

  it('refuses to listen beyond loopback with the public demo JWT secret', async () => {
    const start = startStandIn({
      db: env.db,
      logger: pino({ level: 'silent' }),
      host: '0.0.0.0',
      port: 0,
      keys: await createApiKeys(),
    })
    await expect(start).rejects.toThrow(
      'Refusing to listen on 0.0.0.0 with the public demo JWT secret: anyone who can reach it could sign a service_role key.',
    )
  })

  it('answers CORS preflights with the headers supabase-js sends', async () => {
    const response = await fetch(`${env.url}/rest/v1/items`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://127.0.0.1:5173',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'apikey, authorization, x-client-info, content-profile, prefer',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toContain('PATCH')
    const allowed = response.headers.get('access-control-allow-headers') ?? ''
    for (const header of ['apikey', 'authorization', 'x-client-info', 'prefer', 'x-supabase-api-version']) {
      expect(allowed).toContain(header)
    }
    const upload = await fetch(`${env.url}/storage/v1/object/media/t/outgoing/a.png`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://127.0.0.1:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'apikey, authorization, x-upsert, cache-control, x-metadata',
      },
    })
    const uploadAllowed = upload.headers.get('access-control-allow-headers') ?? ''
    for (const header of ['x-upsert', 'cache-control', 'x-metadata']) expect(uploadAllowed).toContain(header)
    const read = await get('/rest/v1/items', { apikey: env.standIn.keys.anonKey, Origin: 'http://x' })
    expect(read.headers.get('access-control-expose-headers')).toContain('content-range')
  })

  it('requires a known API key in the header or the query', async () => {
    const missing = await get('/rest/v1/items', {})
    expect(missing.status).toBe(401)
    expect(await missing.json()).toEqual({ message: 'No API key found in request' })
    expect((await get('/rest/v1/items', { apikey: 'nope' })).status).toBe(401)
    const query = await get(`/rest/v1/items?apikey=${env.standIn.keys.serviceRoleKey}`, {})
    expect(await query.json()).toEqual([{ id: 1, secret: 'x' }])
    expect((await get('/auth/v1/settings', {})).status).toBe(401)
  })

  it('maps sb_publishable_ and sb_secret_ keys to anon and service_role', async () => {
    const { publishableKey, secretKey } = env.standIn.keys
    const asAnon = await env.client(publishableKey).from('items').select()
    expect(asAnon.data).toEqual([])
    const asService = await env.client(secretKey).from('items').select('id')
    expect(asService.data).toEqual([{ id: 1 }])
  })

  it('refuses expired and forged JWTs with 401 PGRST303 / PGRST301', async () => {
    const apikey = env.standIn.keys.anonKey
    const expired = await sign({
      role: 'authenticated',
      sub: crypto.randomUUID(),
      exp: Math.floor(Date.now() / 1000) - 120,
    })
    const late = await get('/rest/v1/items', { apikey, Authorization: `Bearer ${expired}` })
    expect(late.status).toBe(401)
    expect(await late.json()).toMatchObject({ code: 'PGRST303', message: 'JWT expired' })
    expect(late.headers.get('www-authenticate')).toContain('Bearer')
    const forged = await sign(
      { role: 'service_role', exp: 2e9 },
      'another-secret-that-is-at-least-32-characters',
    )
    const bad = await get('/rest/v1/items', { apikey, Authorization: `Bearer ${forged}` })
    expect(bad.status).toBe(401)
    expect(await bad.json()).toMatchObject({ code: 'PGRST301' })
    const valid = await sign({ role: 'authenticated', sub: crypto.randomUUID(), exp: 2e9 })
    const ok = await get('/rest/v1/items', { apikey, Authorization: `Bearer ${valid}` })
    expect(await ok.json()).toEqual([{ id: 1, secret: 'x' }])
  })

  it('sets request.jwt.claims for the request so auth.uid() works', async () => {
    await env.db.exec(
      `create function public.whoami() returns text language sql stable as $$ select auth.uid()::text $$;`,
    )
    const sub = crypto.randomUUID()
    const token = await sign({ role: 'authenticated', sub, exp: 2e9 })
    const response = await restClient(env.url, env.standIn.keys.anonKey)('POST', 'rpc/whoami', {
      headers: { Authorization: `Bearer ${token}` },
      body: '{}',
    })
    expect(response.json()).toBe(sub)
  })

  it('sets the request settings PostgREST sets: search path, method, path, headers; UTC', async () => {
    // plpgsql resolves gen_salt (in schema extensions) at call time, with the request's search_path.
    await env.db.exec(`create function public.request_info() returns json language plpgsql stable as $$
      begin
        return json_build_object('method', current_setting('request.method'), 'path', current_setting('request.path'),
          'client', current_setting('request.headers')::json ->> 'x-client-info',
          'salt', length(gen_salt('bf')), 'zone', current_setting('TimeZone'));
      end $$;`)
    const { data } = await env.client().rpc('request_info')
    expect(data).toMatchObject({ method: 'POST', path: '/rpc/request_info', salt: 29, zone: 'UTC' })
    expect((data as { client: string }).client).toMatch(/^supabase-js/)
  })

  it('rejects schemas that are not exposed with 406 PGRST106', async () => {
    const { error, status } = await env.client().schema('auth').from('users').select()
    expect(status).toBe(406)
    expect(error?.code).toBe('PGRST106')
  })

  it('routes WebSocket upgrades on /realtime/v1/websocket to realtime', async () => {
    const client = env.client()
    const status = await new Promise<string>((resolve) => {
      client.channel('room:1').subscribe((state) => {
        if (state !== 'CLOSED') resolve(state)
      })
    })
    expect(status).toBe('SUBSCRIBED')
    await client.removeAllChannels()
    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${env.url.replace('http', 'ws')}/realtime/v1/elsewhere`)
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      socket.on('error', () => resolve(-1))
    })
    expect(refused).toBe(404)
  })
})
