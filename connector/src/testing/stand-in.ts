/**
 * Test support: the seeded stand-in from @relevo/testing, plus a `SupabaseStore` for the
 * connector and an agent client.
 */
import { DEMO_CONNECTOR_KEY } from '@relevo/testing/demo-seed'
import { type SeededStandIn, startSeededStandIn } from '@relevo/testing/stand-in'
import type { SupabaseClient } from '@supabase/supabase-js'
import pino from 'pino'
import { SupabaseMediaStorage } from '../store/supabase-media-storage.ts'
import type { StoreCredentials } from '../store/supabase-session.ts'
import { SupabaseStore } from '../store/supabase-store.ts'
import { channelId } from './harness.ts'

export interface TestBackend
  extends Pick<SeededStandIn, 'db' | 'keys' | 'url' | 'service' | 'down' | 'up' | 'close'> {
  /** The connector's store, as the demo channel's credential unless other credentials are given. */
  store(workerId: string, credentials?: StoreCredentials): SupabaseStore
  /** The bucket `media` through supabase-js as the demo channel's credential, as the connector uses it. */
  mediaStorage(credentials?: StoreCredentials): SupabaseMediaStorage
  /** Signed in as the seed agent Ana (or the seed admin). */
  agent(who?: 'ana' | 'admin'): Promise<SupabaseClient>
}

/** The seed's credential for the demo channel. */
export function demoConnector(anonKey: string, key = DEMO_CONNECTOR_KEY): StoreCredentials {
  const [credentialId = '', secret = ''] = key.split('.')
  return { kind: 'connector', anonKey, credentialId, secret }
}

export async function startBackend(): Promise<TestBackend> {
  const stack = await startSeededStandIn()
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  return {
    ...stack,
    store: (workerId, credentials = demoConnector(stack.keys.anonKey)) =>
      new SupabaseStore({
        url: stack.url,
        credentials,
        channelId,
        workerId,
        logger,
        requestTimeoutMs: 5000,
      }),
    mediaStorage: (credentials = demoConnector(stack.keys.anonKey)) =>
      new SupabaseMediaStorage({
        url: stack.url,
        credentials,
        requestTimeoutMs: 10_000,
      }),
    agent: (who = 'ana') => stack.signIn(who),
  }
}
