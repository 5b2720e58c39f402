/**
 * @module
 * Per-request Supabase clients built from `c.env` (Workers have no process-wide env, and a
 * client must never outlive the request whose JWT it carries).
 */
import type { Database } from '@relevo/supabase/types'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { type Config, requireServiceKey } from '../config/config.ts'
import { ConfigError } from '../shared/errors.ts'

export type Fetch = typeof fetch

/** A client typed by the generated schema (supabase/types/database.ts): table, column and RPC names are checked. */
export type Db = SupabaseClient<Database>

const noSession = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }

/** The service role: bypasses RLS, so only the pipeline, the sweeper and ops routes use it. */
export function serviceClient(config: Config, fetchImpl?: Fetch): Db {
  const key = requireServiceKey(config)
  return createClient<Database>(config.SUPABASE_URL, key, {
    auth: noSession,
    global: fetchImpl ? { fetch: fetchImpl } : {},
  })
}

/**
 * A client acting as the caller: PostgREST verifies the JWT and RLS decides what it sees, so the
 * monitoring API never filters tenants by hand.
 */
export function userClient(config: Config, accessToken: string, fetchImpl?: Fetch): Db {
  if (!config.SUPABASE_ANON_KEY) {
    throw new ConfigError('SUPABASE_ANON_KEY is not set', 'Add SUPABASE_ANON_KEY to [vars] or .dev.vars')
  }
  return createClient<Database>(config.SUPABASE_URL, config.SUPABASE_ANON_KEY, {
    auth: noSession,
    accessToken: async () => accessToken,
    global: fetchImpl ? { fetch: fetchImpl } : {},
  })
}
