import type { Session } from '@supabase/supabase-js'
import { createDeskApi } from '../desk-api.ts'
import type { MessageKey } from '../i18n/es.ts'
import type { Agent, Db } from '../types.ts'

/** `no-business`: signed in, but no agent row yet (just signed up): the person creates a business or redeems an invitation. */
export type AuthStatus = 'loading' | 'signed-out' | 'no-business' | 'signed-in'

/**
 * Who is at the desk: the Supabase session (refreshed by supabase-js) and the agents row that
 * gives the tenant and role. A sign-out the agent did not ask for (refresh failed, JWT expired)
 * is an expiry: the sign-in page says so, and drafts stay in localStorage.
 */
export class AuthStore {
  status = $state<AuthStatus>('loading')
  session = $state<Session | null>(null)
  agent = $state<Agent | null>(null)
  expired = $state(false)
  error = $state<MessageKey | null>(null)
  private signingOut = false

  constructor(
    private readonly db: Db,
    private readonly hadStoredSession = false,
  ) {}

  /**
   * `onStoredSession` runs as soon as a stored session is found, before its agent row is read, so
   * a caller can start the desk's first query in parallel with that lookup (app-state.svelte.ts).
   */
  async init(onStoredSession?: (session: Session) => void): Promise<void> {
    this.db.auth.onAuthStateChange((event, session) => {
      this.session = session
      if (event === 'SIGNED_OUT') {
        if (!this.signingOut && this.agent) this.expired = true
        this.signingOut = false
        this.agent = null
        this.status = 'signed-out'
      }
    })
    const { data } = await this.db.auth.getSession()
    // A session stored by an earlier visit that supabase-js could not refresh is an expiry.
    if (!data.session && this.hadStoredSession) this.expired = true
    if (data.session) onStoredSession?.(data.session)
    await this.adopt(data.session)
  }

  async signIn(email: string, password: string): Promise<boolean> {
    this.error = null
    const { data, error } = await this.db.auth.signInWithPassword({ email, password })
    if (error || !data.session) {
      this.error = 'auth.failed'
      return false
    }
    this.expired = false
    return this.adopt(data.session)
  }

  async signOut(): Promise<void> {
    this.signingOut = true
    await this.db.auth.signOut({ scope: 'local' })
    this.agent = null
    this.status = 'signed-out'
  }

  /** Adopts the current session again, e.g. once create_tenant made this person an agent. */
  async reload(): Promise<boolean> {
    const { data } = await this.db.auth.getSession()
    return this.adopt(data.session)
  }

  /** An API call answered 401: the refresh token is gone too, so the agent must sign in again. */
  async sessionExpired(): Promise<void> {
    this.expired = true
    this.signingOut = true
    await this.db.auth.signOut({ scope: 'local' })
    this.agent = null
    this.status = 'signed-out'
  }

  private async adopt(session: Session | null): Promise<boolean> {
    this.session = session
    if (!session) {
      this.status = 'signed-out'
      return false
    }
    const agent = await createDeskApi(this.db)
      .agent(session.user.id)
      .catch(() => undefined)
    if (agent === null) {
      // No agent row at all: a new account, not a deactivated one.
      this.agent = null
      this.status = 'no-business'
      return true
    }
    if (!agent?.active) {
      this.error = 'auth.notAgent'
      await this.signOut()
      return false
    }
    this.agent = agent
    this.status = 'signed-in'
    return true
  }
}
