/**
 * @module
 * Who the connector is to Supabase (ADR 074): its channel's credential, an Auth user that may act
 * only for that channel, or in development the service role. One supabase-js client per session,
 * signed in on first use and refreshed by supabase-js; the SQL store and the media storage each
 * hold one. A failed sign-in is `StoreUnavailableError`: the caller buffers and tries again.
 */
import type { Database } from '@relevo/supabase/types'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { StoreUnavailableError } from './errors.ts'

/** The channel's credential (with the project's anon key), or the service role (development). */
export type StoreCredentials =
  | { kind: 'connector'; anonKey: string; credentialId: string; secret: string }
  | { kind: 'service_role'; serviceRoleKey: string }

/** The Auth login of a credential: issue_connector_credential names its user after the credential id. */
export function connectorEmail(credentialId: string): string {
  return `${credentialId}@connector.relevo.invalid`
}

export interface SupabaseSessionOptions {
  url: string
  credentials: StoreCredentials
  /** Per request, unless the caller passes its own signal. */
  requestTimeoutMs: number
}

export class SupabaseSession {
  readonly client: SupabaseClient<Database>
  private readonly credentials: StoreCredentials
  private signIn: Promise<void> | null = null

  constructor(options: SupabaseSessionOptions) {
    const { credentials, requestTimeoutMs } = options
    this.credentials = credentials
    const apiKey = credentials.kind === 'connector' ? credentials.anonKey : credentials.serviceRoleKey
    this.client = createClient<Database>(options.url, apiKey, {
      auth: {
        persistSession: false,
        autoRefreshToken: credentials.kind === 'connector',
        detectSessionInUrl: false,
      },
      global: {
        fetch: (input, init) =>
          fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(requestTimeoutMs) }),
      },
    })
  }

  /** Signs the connector in once; the service role needs no sign-in. */
  ready(): Promise<void> {
    if (this.credentials.kind === 'service_role') return Promise.resolve()
    const { credentialId, secret } = this.credentials
    this.signIn ??= this.client.auth
      .signInWithPassword({ email: connectorEmail(credentialId), password: secret })
      .then(({ error }) => {
        if (error) {
          throw new StoreUnavailableError(
            `connector sign-in failed: ${error.message}; CONNECTOR_KEY is wrong or revoked, or Supabase is down`,
            { cause: error },
          )
        }
      })
      .catch((error: unknown) => {
        this.signIn = null
        throw error instanceof StoreUnavailableError
          ? error
          : new StoreUnavailableError('connector sign-in failed', { cause: error })
      })
    return this.signIn
  }

  /** A 401 says the session is gone (revoked, expired): the next call signs in again. */
  answered(status: number): void {
    if (status === 401) this.signIn = null
  }
}
