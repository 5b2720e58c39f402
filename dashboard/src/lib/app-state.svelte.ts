import { AuthStore } from './auth/auth.svelte.ts'
import { getSupabase, SESSION_STORAGE_KEY } from './supabase.ts'

// Read before supabase-js starts: it refreshes (or drops) the stored session as soon as it is created.
const hadStoredSession = Boolean(globalThis.localStorage?.getItem(SESSION_STORAGE_KEY))

/** The app-wide session, created once in the browser (the SPA never renders on a server). */
export const auth = new AuthStore(getSupabase(), hadStoredSession)
