import { fileURLToPath } from 'node:url'
import type { StandIn } from '@relevo/supabase/local'
import { launchChromium } from '@relevo/testing/chromium'
import { DEMO_ADMIN, DEMO_ANA, DEMO_CHANNEL_ID, DEMO_TENANT_ID } from '@relevo/testing/demo-seed'
import { startSeededStandIn } from '@relevo/testing/stand-in'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { serveStatic } from './static-server.ts'

export const TENANT = DEMO_TENANT_ID
export const CHANNEL = DEMO_CHANNEL_ID
export const ADMIN = DEMO_ADMIN
export const ANA = DEMO_ANA

const dashboardDir = fileURLToPath(new URL('..', import.meta.url))

/**
 * End-to-end rig: the seeded stand-in from @relevo/testing, the dashboard's static build (made by
 * global-setup.ts) served on a random port, and Debian Chromium. A missing Chromium is an error, never a skip.
 */
export async function startRig(options: RigOptions = {}) {
  // Webhooks stay off unless a test runs the functions to receive them (@relevo/testing/functions-process).
  const browser = await launchChromium()
  const stack = await startSeededStandIn({ webhooks: options.webhooks ?? false })
  const { db } = stack
  const site = await serveStatic(join(dashboardDir, 'build'))
  const service = stack.service()
  const standIn = (): StandIn => {
    const running = stack.standIn()
    if (!running) throw new Error('the stand-in is stopped: call restartStandIn() first')
    return running
  }

  /** A fresh browser context (own storage) pointed at the stand-in, in the given language. */
  async function newPage(locale: 'es' | 'en' = 'en', viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ locale, viewport })
    await context.addInitScript(
      (env) => {
        window.__RELEVO_ENV__ = env
      },
      { url: stack.url, anonKey: stack.keys.anonKey },
    )
    return context.newPage()
  }

  async function signIn(page: Page, user: Credentials): Promise<void> {
    await page.goto(`${site.url}/inbox`)
    await page.getByLabel(/email|correo/i).fill(user.email)
    await page.getByLabel(/password|contraseña/i).fill(user.password)
    await page.getByRole('button', { name: /sign in|entrar/i }).click()
    await page.getByRole('heading', { name: /conversations|conversaciones/i }).waitFor()
  }

  /** A fresh page with `user` signed in: on the inbox, or at `path` (e.g. '/settings') when given. */
  async function pageAs(user: Credentials, options: PageOptions = {}): Promise<Page> {
    const page = await newPage(options.locale, options.viewport)
    await signIn(page, user)
    if (options.path) await page.goto(`${site.url}${options.path}`)
    return page
  }

  /** supabase-js signed in as `user`, as the dashboard's client would be (RLS applies). */
  async function supabaseAs(user: Credentials) {
    const client = stack.client()
    const { error } = await client.auth.signInWithPassword(user)
    if (error) throw error
    return client
  }

  let waSeq = 0
  /** A customer writes on WhatsApp: what the connector does on an incoming message. */
  async function customerWrites(phone: string, name: string, body: string): Promise<Ingested> {
    const waMessageId = `wamid.e2e.${Date.now()}.${++waSeq}`
    const { data, error } = await service.rpc('ingest_message', {
      p_channel_id: CHANNEL,
      p_wa_message_id: waMessageId,
      p_wa_chat_id: `${phone}@c.us`,
      p_from_me: false,
      p_body: body,
      p_customer_name: name,
      p_customer_phone: phone,
    })
    if (error) throw new Error(`ingest_message failed: ${error.message}`)
    const result = data as { conversation_id: string; message_id: string }
    return { conversationId: result.conversation_id, messageId: result.message_id, waMessageId }
  }

  /** The AI answers a customer message (as functions/ does) and records what it did. */
  async function aiReplies(
    trigger: Ingested,
    body: string,
    tools: Record<string, unknown>[],
  ): Promise<string> {
    const { data, error } = await service.rpc('enqueue_ai_reply', {
      p_trigger_message_id: trigger.messageId,
      p_body: body,
    })
    const result = data as { enqueued: boolean; message_id?: string } | null
    if (error || !result?.message_id)
      throw new Error(`enqueue_ai_reply failed: ${error?.message ?? JSON.stringify(data)}`)
    await db.query(
      `insert into public.ai_runs (tenant_id, conversation_id, trigger_message_id, reply_message_id, provider, model,
         latency_ms, tools, outcome)
       values ($1, $2, $3, $4, 'openai', 'gpt-4o-mini', 840, $5::jsonb, 'replied')`,
      [TENANT, trigger.conversationId, trigger.messageId, result.message_id, JSON.stringify(tools)],
    )
    return result.message_id
  }

  /** The AI hands the chat to a person (rule 5). */
  async function aiHandsOff(conversationId: string, reason: string): Promise<void> {
    const { error } = await service.rpc('ai_handoff', { p_conversation_id: conversationId, p_reason: reason })
    if (error) throw new Error(`ai_handoff failed: ${error.message}`)
  }

  return {
    site,
    get standIn() {
      return standIn()
    },
    /** Takes Supabase away (REST, auth, realtime) while the database keeps its rows. */
    stopStandIn: () => stack.down(),
    /** Brings it back on the same port with the same keys, as a restarted server would. */
    restartStandIn: () => stack.up(),
    db,
    browser,
    service,
    newPage,
    signIn,
    pageAs,
    supabaseAs,
    customerWrites,
    aiReplies,
    aiHandsOff,
    async close() {
      await browser.close()
      await site.close()
      await stack.close()
    },
  }
}

export type Rig = Awaited<ReturnType<typeof startRig>>
export interface RigOptions {
  webhooks?: boolean
}
export interface Credentials {
  email: string
  password: string
}
export interface PageOptions {
  locale?: 'es' | 'en'
  viewport?: { width: number; height: number }
  path?: string
}

/**
 * The rig of one test file: started before its tests and closed after them (vitest runs the file's
 * own afterAll hooks first, so what a test started on top of the rig stops before it). A proxy,
 * because the rig exists only once beforeAll has run: use it inside hooks and tests.
 */
export function useRig(options: RigOptions = {}): Rig {
  let rig: Rig | undefined
  beforeAll(async () => {
    rig = await startRig(options)
  })
  afterAll(async () => {
    await rig?.close()
  })
  return new Proxy({} as Rig, {
    get(_, key) {
      if (!rig) throw new Error('the rig starts in beforeAll: use it inside hooks and tests')
      return Reflect.get(rig, key)
    },
  })
}
export interface Ingested {
  conversationId: string
  messageId: string
  /** Its WhatsApp id, which the connector's revoke and edit calls name it by. */
  waMessageId: string
}

function join(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/')
}
