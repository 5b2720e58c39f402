import { describe, expect, it } from 'vitest'
import type { Db } from '../types.ts'
import { AuthStore } from './auth.svelte.ts'

type Listener = (event: string, session: unknown) => void

/** A fake of the supabase-js auth surface and of the one agents query AuthStore makes. */
function fakeClient(opts: {
  session?: unknown
  agent?: Record<string, unknown> | null
  /** An agent row the test may create later (create_tenant). */
  agentRef?: { current: Record<string, unknown> | null }
  password?: string
}) {
  let listener: Listener = () => {}
  let session = opts.session ?? null
  const user = { id: 'u1' }
  const client = {
    auth: {
      onAuthStateChange: (cb: Listener) => {
        listener = cb
        return { data: { subscription: { unsubscribe() {} } } }
      },
      getSession: async () => ({ data: { session } }),
      signInWithPassword: async ({ password }: { password: string }) => {
        if (password !== opts.password)
          return { data: { session: null }, error: { message: 'Invalid login credentials' } }
        session = { user, access_token: 't' }
        return { data: { session }, error: null }
      },
      signOut: async () => {
        session = null
        listener('SIGNED_OUT', null)
        return { error: null }
      },
    },
    from: () => {
      const query = {
        select: () => query,
        eq: () => query,
        maybeSingle: () =>
          Promise.resolve({ data: opts.agentRef?.current ?? opts.agent ?? null, error: null, status: 200 }),
      }
      return query
    },
  }
  return { client: client as unknown as Db, fire: (event: string) => listener(event, null) }
}

const ANA = { user_id: 'u1', tenant_id: 't1', display_name: 'Ana', role: 'agent', active: true }

describe('AuthStore', () => {
  it('signs in an active agent and loads its row', async () => {
    const { client } = fakeClient({ agent: ANA, password: 'pw' })
    const auth = new AuthStore(client)
    await auth.init()
    expect(auth.status).toBe('signed-out')
    expect(await auth.signIn('ana@x.test', 'pw')).toBe(true)
    expect(auth.status).toBe('signed-in')
    expect(auth.agent?.display_name).toBe('Ana')
  })

  it('reports a wrong password without signing in', async () => {
    const { client } = fakeClient({ agent: ANA, password: 'pw' })
    const auth = new AuthStore(client)
    await auth.init()
    expect(await auth.signIn('ana@x.test', 'nope')).toBe(false)
    expect(auth.error).toBe('auth.failed')
    expect(auth.status).toBe('signed-out')
  })

  it('refuses a user who is not an active agent', async () => {
    const { client } = fakeClient({ agent: { ...ANA, active: false }, password: 'pw' })
    const auth = new AuthStore(client)
    await auth.init()
    expect(await auth.signIn('ana@x.test', 'pw')).toBe(false)
    expect(auth.error).toBe('auth.notAgent')
  })

  it('keeps a new account without an agent row signed in as no-business, until reload finds its agent', async () => {
    const agent: { current: Record<string, unknown> | null } = { current: null }
    const { client } = fakeClient({ password: 'pw', agentRef: agent })
    const auth = new AuthStore(client)
    await auth.init()
    expect(await auth.signIn('new@x.test', 'pw')).toBe(true)
    expect(auth.status).toBe('no-business')
    expect(auth.agent).toBeNull()
    agent.current = { ...ANA, role: 'admin' }
    expect(await auth.reload()).toBe(true)
    expect(auth.status).toBe('signed-in')
    expect(auth.agent?.role).toBe('admin')
  })

  it('treats a sign-out it did not ask for as an expiry, and its own sign-out as not', async () => {
    const { client, fire } = fakeClient({ agent: ANA, password: 'pw', session: { user: { id: 'u1' } } })
    const auth = new AuthStore(client)
    await auth.init()
    expect(auth.status).toBe('signed-in')
    fire('SIGNED_OUT')
    expect(auth.expired).toBe(true)
    expect(auth.status).toBe('signed-out')

    await auth.signIn('ana@x.test', 'pw')
    expect(auth.expired).toBe(false)
    await auth.signOut()
    expect(auth.expired).toBe(false)
  })

  it('hands a stored session over before its agent row is read, and nothing without one', async () => {
    const { client } = fakeClient({ agent: ANA, session: { user: { id: 'u1' } } })
    const seen: { user: string; status: string }[] = []
    const auth = new AuthStore(client)
    await auth.init((session) => seen.push({ user: session.user.id, status: auth.status }))
    expect(seen).toEqual([{ user: 'u1', status: 'loading' }])
    expect(auth.status).toBe('signed-in')

    const signedOut = new AuthStore(fakeClient({ agent: ANA }).client)
    await signedOut.init(() => seen.push({ user: 'none', status: signedOut.status }))
    expect(seen).toHaveLength(1)
  })

  it('calls a stored session that could not be refreshed an expiry', async () => {
    const { client } = fakeClient({ agent: ANA, session: null })
    const auth = new AuthStore(client, true)
    await auth.init()
    expect(auth.expired).toBe(true)
    expect(auth.status).toBe('signed-out')
  })
})
