import type { Database } from '@relevo/supabase/types'
import { createClient } from '@supabase/supabase-js'
import type { Db } from './types.ts'

/**
 * The one place that creates the Supabase client. Config comes from PUBLIC_SUPABASE_URL /
 * PUBLIC_SUPABASE_ANON_KEY at build time, or from `window.__RELEVO_ENV__` at run time so one static
 * build can point at any project (and tests can point it at a stand-in on a random port; ADR 030).
 */
export const LOCAL_SUPABASE_URL = 'http://127.0.0.1:54321'
// The Supabase CLI's public demo anon key (supabase/local/keys.ts signs the same token); not a secret.
export const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'

export const SESSION_STORAGE_KEY = 'relevo.auth'

export interface SupabaseConfig {
  url: string
  anonKey: string
}

declare global {
  interface Window {
    /** `functionsUrl`: the functions app (Cloud API Test and templates); http://127.0.0.1:8787 by default. */
    __RELEVO_ENV__?: Partial<SupabaseConfig> & { functionsUrl?: string }
  }
}

export function resolveConfig(
  runtime: Partial<SupabaseConfig> | undefined,
  buildEnv: Record<string, string | undefined>,
): SupabaseConfig {
  return {
    url: runtime?.url || buildEnv.PUBLIC_SUPABASE_URL || LOCAL_SUPABASE_URL,
    anonKey: runtime?.anonKey || buildEnv.PUBLIC_SUPABASE_ANON_KEY || LOCAL_ANON_KEY,
  }
}

let client: Db | undefined

/** The project this build talks to (the runtime config wins over the build's). */
export function getSupabaseConfig(): SupabaseConfig {
  const runtime = typeof window === 'undefined' ? undefined : window.__RELEVO_ENV__
  return resolveConfig(runtime, import.meta.env as Record<string, string | undefined>)
}

export function getSupabase(): Db {
  if (client) return client
  const config = getSupabaseConfig()
  client = createClient<Database>(config.url, config.anonKey, {
    auth: { persistSession: true, autoRefreshToken: true, storageKey: SESSION_STORAGE_KEY },
  })
  return client
}
