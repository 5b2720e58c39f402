import { type FunctionsProcess, startFunctions } from '@relevo/testing/functions-process'
import type { Page } from 'playwright-core'
import type { Credentials, Rig } from './harness.ts'

/** The secret the stand-in's database webhooks sign with, and the functions check. */
const WEBHOOK_SECRET = 'e2e-webhook-secret'

/**
 * The real functions (the Worker under wrangler dev) on the rig's stand-in; `env` adds what the
 * test's doubles need (their URLs, keys, RELEVO_ALLOW_PRIVATE_URLS for loopback ones).
 */
export function startRigFunctions(rig: Rig, env: Record<string, string> = {}): Promise<FunctionsProcess> {
  return startFunctions({
    SUPABASE_URL: rig.standIn.url,
    SUPABASE_ANON_KEY: rig.standIn.keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: rig.standIn.keys.serviceRoleKey,
    WEBHOOK_SECRET,
    OPS_TOKEN: 'e2e-ops-token',
    ...env,
  })
}

/** Incoming messages reach the functions through the stand-in's webhook (a rig with webhooks on). */
export async function routeIncomingMessages(rig: Rig, functions: FunctionsProcess): Promise<void> {
  await rig.db.query(`select private.configure_webhook('incoming_message', $1, $2)`, [
    `${functions.url}/webhooks/db`,
    WEBHOOK_SECRET,
  ])
}

/** The page's dashboard calls these functions; set before it loads, as the app reads its env at start. */
export async function pointAtFunctions(page: Page, functions: FunctionsProcess): Promise<void> {
  await page.addInitScript((url) => {
    window.__RELEVO_ENV__ = { ...window.__RELEVO_ENV__, functionsUrl: url }
  }, functions.url)
}

/** A fresh English page whose dashboard calls these functions, `user` signed in (on the inbox). */
export async function pageOnFunctions(
  rig: Rig,
  functions: FunctionsProcess,
  user: Credentials,
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await rig.newPage('en', viewport)
  await pointAtFunctions(page, functions)
  await rig.signIn(page, user)
  return page
}
