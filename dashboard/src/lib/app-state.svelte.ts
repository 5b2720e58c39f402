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
 * Started when this module loads, not when the layout renders: SvelteKit instantiates the layout only
 * after every chunk of the route has arrived, so the session check and the first inbox page run while
 * the browser is still fetching them (the inbox's cold load, bench/run.ts).
 */
export const authReady = auth.init().then(() => {
  if (auth.status === 'signed-in' && auth.agent) {
    const rows = createDeskApi(getSupabase())
      .conversations()
      .catch(() => undefined)
    firstInboxPage = { userId: auth.agent.user_id, rows }
  }
})

/** The prefetched first inbox page, once and only for the agent it was fetched for; later loads query again. */
export function takeFirstInboxPage(userId: string): Promise<Conversation[] | undefined> | undefined {
  const page = firstInboxPage
  firstInboxPage = undefined
  return page?.userId === userId ? page.rows : undefined
}
