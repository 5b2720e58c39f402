import { decodeJwt, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { restClient } from '../testing/http.ts'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

describe.each(backends)('auth (GoTrue subset) through supabase-js (%s)', (backend) => {
  let env: TestStandIn
  const signIn = (email: string, password: string) =>
    env.client().auth.signInWithPassword({ email, password })
  const rawUser = async (token: string) => {
    const response = await fetch(`${env.url}/auth/v1/user`, {
      headers: { apikey: env.standIn.keys.anonKey, Authorization: `Bearer ${token}` },
    })
    const body = (await response.json()) as { code?: string }
    return { status: response.status, code: body.code }
  }

  beforeAll(async () => {
    env = await startTestStandIn(backend)
    // Users created the way a Supabase seed.sql does it: a pgcrypto bcrypt hash in auth.users.
    await env.db.exec(`
      insert into auth.users (id, email, encrypted_password, email_confirmed_at, raw_app_meta_data)
      values ('11111111-1111-1111-1111-111111111111', 'seeded@example.test',
        extensions.crypt('seeded-pw', extensions.gen_salt('bf')), now(), '{"provider":"email","providers":["email"]}');`)
  })
  afterAll(() => env?.close())

  it('signs up and returns a session with Supabase claims', async () => {
    const client = env.client()
    const { data, error } = await client.auth.signUp({
      email: 'New@Example.test',
      password: 'secret-pw',
      options: { data: { name: 'New' } },
    })
    expect(error).toBeNull()
    expect(data.user).toMatchObject({
      email: 'new@example.test',
      user_metadata: { name: 'New' },
      role: 'authenticated',
    })
    const session = data.session
    expect(session?.expires_in).toBe(3600)
    const claims = decodeJwt(session?.access_token ?? '')
    expect(claims).toMatchObject({
      sub: data.user?.id,
      role: 'authenticated',
      aud: 'authenticated',
      email: 'new@example.test',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { name: 'New' },
      iss: `${env.url}/auth/v1`,
    })
    expect(typeof claims.session_id).toBe('string')
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600)
    const again = await env.client().auth.signUp({ email: 'new@example.test', password: 'secret-pw' })
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists' })
  })

  it('validates sign-up input', async () => {
    const weak = await env.client().auth.signUp({ email: 'weak@example.test', password: '123' })
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' })
    const bad = await env.client().auth.signUp({ email: 'not-an-email', password: 'secret-pw' })
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' })
  })

  it('signs in seeded users and refuses wrong passwords and unknown users alike', async () => {
    const ok = await signIn('seeded@example.test', 'seeded-pw')
    expect(ok.error).toBeNull()
    expect(ok.data.user?.id).toBe('11111111-1111-1111-1111-111111111111')
    for (const [email, password] of [
      ['seeded@example.test', 'wrong-pw'],
      ['nobody@example.test', 'seeded-pw'],
    ] as const) {
      const { error } = await signIn(email, password)
      expect(error).toMatchObject({
        status: 400,
        code: 'invalid_credentials',
        message: 'Invalid login credentials',
      })
    }
  })

  it('gets and updates the user, and uses the token for REST', async () => {
    const client = env.client()
    await client.auth.signInWithPassword({ email: 'seeded@example.test', password: 'seeded-pw' })
    const { data } = await client.auth.getUser()
    expect(data.user?.email).toBe('seeded@example.test')
    const updated = await client.auth.updateUser({ data: { theme: 'dark' } })
    expect(updated.data.user?.user_metadata).toEqual({ theme: 'dark' })
    await env.db.exec(
      `create function public.my_email() returns text language sql stable as $$ select auth.email() $$;`,
    )
    expect((await client.rpc('my_email')).data).toBe('seeded@example.test')
  })

  it('rotates refresh tokens and refuses a reused one, revoking the session', async () => {
    const client = env.client()
    const first = await client.auth.signInWithPassword({
      email: 'seeded@example.test',
      password: 'seeded-pw',
    })
    const oldRefresh = first.data.session?.refresh_token ?? ''
    const refreshed = await client.auth.refreshSession()
    expect(refreshed.error).toBeNull()
    expect(refreshed.data.session?.refresh_token).not.toBe(oldRefresh)
    const newAccess = refreshed.data.session?.access_token ?? ''
    const reuse = await env.client().auth.refreshSession({ refresh_token: oldRefresh })
    expect(reuse.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' })
    // Reuse revokes the whole session: the rotated token and the access token stop working.
    const next = await env
      .client()
      .auth.refreshSession({ refresh_token: refreshed.data.session?.refresh_token ?? '' })
    expect(next.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' })
    expect(await rawUser(newAccess)).toEqual({ status: 403, code: 'session_not_found' })
    // auth-js turns session_not_found into "signed out".
    expect((await env.client().auth.getUser(newAccess)).error?.name).toBe('AuthSessionMissingError')
  })

  it('signs out: the session is revoked on the server', async () => {
    const client = env.client()
    const { data } = await client.auth.signInWithPassword({
      email: 'seeded@example.test',
      password: 'seeded-pw',
    })
    const token = data.session?.access_token ?? ''
    expect((await client.auth.signOut()).error).toBeNull()
    expect(await rawUser(token)).toEqual({ status: 403, code: 'session_not_found' })
    const refresh = await env
      .client()
      .auth.refreshSession({ refresh_token: data.session?.refresh_token ?? '' })
    expect(refresh.error?.code).toBe('refresh_token_not_found')
  })

  it('refuses expired and forged tokens on /user', async () => {
    const { data } = await signIn('seeded@example.test', 'seeded-pw')
    const token = data.session?.access_token ?? ''
    const claims = decodeJwt(token)
    const secret = new TextEncoder().encode(env.standIn.keys.jwtSecret)
    // Past GoTrue's and PostgREST's 30 s clock skew.
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(secret)
    expect(await rawUser(expired)).toEqual({ status: 403, code: 'bad_jwt' })
    const rest = await restClient(env.url, env.standIn.keys.anonKey)('POST', 'rpc/my_email', {
      headers: { Authorization: `Bearer ${expired}` },
      body: '{}',
    })
    expect(rest.status).toBe(401)
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`
    expect(await rawUser(forged)).toEqual({ status: 403, code: 'bad_jwt' })
    expect(await rawUser(token)).toEqual({ status: 200, code: undefined })
  })

  it('issues access tokens with the configured lifetime', async () => {
    const short = await startTestStandIn(backend, '', { accessTokenTtlSeconds: 120 })
    try {
      const { data } = await short
        .client()
        .auth.signUp({ email: 'short@example.test', password: 'secret-pw' })
      expect(data.session?.expires_in).toBe(120)
      const claims = decodeJwt(data.session?.access_token ?? '')
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(120)
    } finally {
      await short.close()
    }
  })

  it('lets only the service role use the admin API', async () => {
    const admin = env.client(env.standIn.keys.serviceRoleKey).auth.admin
    const created = await admin.createUser({
      email: 'agent@example.test',
      password: 'agent-pw',
      email_confirm: true,
    })
    expect(created.error).toBeNull()
    expect((await signIn('agent@example.test', 'agent-pw')).error).toBeNull()
    const unconfirmed = await admin.createUser({ email: 'later@example.test', password: 'later-pw' })
    expect(unconfirmed.error).toBeNull()
    expect((await signIn('later@example.test', 'later-pw')).error?.code).toBe('email_not_confirmed')
    const invited = await admin.inviteUserByEmail('invitee@example.test', { data: { tenant: 't1' } })
    expect(invited.data.user).toMatchObject({
      email: 'invitee@example.test',
      user_metadata: { tenant: 't1' },
    })
    const list = await admin.listUsers({ page: 1, perPage: 2 })
    expect(list.data.users).toHaveLength(2)
    expect((list.data as { total?: number }).total).toBeGreaterThanOrEqual(4)
    const id = created.data.user?.id ?? ''
    expect((await admin.getUserById(id)).data.user?.email).toBe('agent@example.test')
    expect((await admin.deleteUser(id)).error).toBeNull()
    expect((await admin.getUserById(id)).error).toMatchObject({ status: 404 })
    const denied = await env
      .client()
      .auth.admin.createUser({ email: 'x@example.test', password: 'secret-pw' })
    expect(denied.error).toMatchObject({ status: 403, code: 'not_admin' })
  })

  it('serves /settings and echoes the API version', async () => {
    const response = await fetch(`${env.url}/auth/v1/settings`, {
      headers: { apikey: env.standIn.keys.anonKey },
    })
    expect(response.headers.get('x-supabase-api-version')).toBe('2024-01-01')
    expect(await response.json()).toMatchObject({ external: { email: true }, mailer_autoconfirm: true })
  })
})
