import { AuthStore } from './auth/auth.svelte.ts'
import { getSupabase } from './supabase.ts'

/** The app-wide session, created once in the browser (the SPA never renders on a server). */
export const auth = new AuthStore(getSupabase())
