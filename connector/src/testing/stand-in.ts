/**
 * Test support: the seeded stand-in from @relevo/testing, plus a `SupabaseStore` for the
 * connector and an agent client.
 */
import { type SeededStandIn, startSeededStandIn } from '@relevo/testing/stand-in'
import type { SupabaseClient } from '@supabase/supabase-js'
import pino from 'pino'
import { SupabaseMediaStorage } from '../store/supabase-media-storage.ts'
import { SupabaseStore } from '../store/supabase-store.ts'
import { channelId } from './harness.ts'

export interface TestBackend
  extends Pick<SeededStandIn, 'db' | 'keys' | 'url' | 'service' | 'down' | 'up' | 'close'> {
  store(workerId: string): SupabaseStore
  /** The bucket `media` through supabase-js with the service role key, as the connector uses it. */
  mediaStorage(): SupabaseMediaStorage
  /** Signed in as the seed agent Ana (or the seed admin). */
  agent(who?: 'ana' | 'admin'): Promise<SupabaseClient>
}

export async function startBackend(): Promise<TestBackend> {
  const stack = await startSeededStandIn()
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  return {
    ...stack,
    store: (workerId) =>
      new SupabaseStore({
        url: stack.url,
        serviceRoleKey: stack.keys.serviceRoleKey,
        channelId,
        workerId,
        logger,
        requestTimeoutMs: 5000,
      }),
    mediaStorage: () =>
      new SupabaseMediaStorage({
        url: stack.url,
        serviceRoleKey: stack.keys.serviceRoleKey,
        requestTimeoutMs: 10_000,
      }),
    agent: (who = 'ana') => stack.signIn(who),
  }
}
