import { AuthStore } from './auth/auth.svelte.ts'
import { createDeskApi } from './desk-api.ts'
import { getSupabase, SESSION_STORAGE_KEY } from './supabase.ts'
import type { Conversation } from './types.ts'

// Read before supabase-js starts: it refreshes (or drops) the stored session as soon as it is created.
const hadStoredSession = Boolean(globalThis.localStorage?.getItem(SESSION_STORAGE_KEY))

/** The app-wide session, created once in the browser (the SPA never renders on a server). */
export const auth = new AuthStore(getSupabase(), hadStoredSession)

let firstInboxPage: { userId: string; rows: Promise<Conversation[] | undefined> } | undefined

/**
 * Started as soon as the stored session is read, in parallel with the agent lookup, and not when the
 * layout renders: the inbox's cold load (bench/run.ts) waits for one round trip less. A session
 * without an agent row gets an empty page under RLS, which no desk takes.
 */
void auth.init((session) => {
  const rows = createDeskApi(getSupabase())
    .conversations()
    .catch(() => undefined)
  firstInboxPage = { userId: session.user.id, rows }
})

/** The prefetched first inbox page, once and only for the agent it was fetched for; later loads query again. */
export function takeFirstInboxPage(userId: string): Promise<Conversation[] | undefined> | undefined {
  const page = firstInboxPage
  firstInboxPage = undefined
  return page?.userId === userId ? page.rows : undefined
}
