import { fileURLToPath } from 'node:url'
import { applyMigrations, openDatabase } from '@relevo/supabase/db'
import { startStandIn } from '@relevo/supabase/local'
import type { Database } from '@relevo/supabase/types'
import { createClient } from '@supabase/supabase-js'
import { pino } from 'pino'
import type { Page } from 'playwright-core'
import { launchChromium } from './chromium.ts'
import { serveStatic } from './static-server.ts'

export const TENANT = '00000000-0000-4000-8000-000000000001'
export const CHANNEL = '00000000-0000-4000-8000-000000000101'
export const ADMIN = { email: 'admin@demo.relevo.test', password: 'relevo-demo', name: 'Admin Demo' }
export const ANA = { email: 'ana@demo.relevo.test', password: 'relevo-demo', name: 'Ana' }

const dashboardDir = fileURLToPath(new URL('..', import.meta.url))

/**
 * End-to-end rig: the local stand-in over in-memory PGlite with the seed, the dashboard's static
 * build (made by global-setup.ts) served on a random port, and Debian Chromium. A missing Chromium is an error, never a skip.
 */
export async function startRig(options: { webhooks?: boolean } = {}) {
  // Webhooks stay off unless a test runs the functions to receive them (e2e/functions-process.ts).
  const webhooks = options.webhooks ?? false
  const browser = await launchChromium()
  const db = await openDatabase()
  await applyMigrations(db, { seed: true })
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  let standIn = await startStandIn({ db, logger, port: 0, host: '127.0.0.1', webhooks })
  const port = Number(new URL(standIn.url).port)
  const site = await serveStatic(join(dashboardDir, 'build'))
  const service = createClient<Database>(standIn.url, standIn.keys.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  })

  /** A fresh browser context (own storage) pointed at the stand-in, in the given language. */
  async function newPage(locale: 'es' | 'en' = 'en', viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ locale, viewport })
    await context.addInitScript(
      (env) => {
        window.__RELEVO_ENV__ = env
      },
      { url: standIn.url, anonKey: standIn.keys.anonKey },
    )
    return context.newPage()
  }

  async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${site.url}/inbox`)
    await page.getByLabel(/email|correo/i).fill(user.email)
    await page.getByLabel(/password|contraseña/i).fill(user.password)
    await page.getByRole('button', { name: /sign in|entrar/i }).click()
    await page.getByRole('heading', { name: /conversations|conversaciones/i }).waitFor()
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
      return standIn
    },
    /** Takes Supabase away (REST, auth, realtime) while the database keeps its rows. */
    stopStandIn: () => standIn.close(),
    /** Brings it back on the same port with the same keys, as a restarted server would. */
    async restartStandIn() {
      standIn = await startStandIn({
        db,
        logger,
        port,
        host: '127.0.0.1',
        keys: standIn.keys,
        webhooks,
      })
    },
    db,
    browser,
    service,
    newPage,
    signIn,
    customerWrites,
    aiReplies,
    aiHandsOff,
    async close() {
      await browser.close()
      await site.close()
      await standIn.close()
      await db.close()
    },
  }
}

export type Rig = Awaited<ReturnType<typeof startRig>>
export interface Ingested {
  conversationId: string
  messageId: string
  /** Its WhatsApp id, which the connector's revoke and edit calls name it by. */
  waMessageId: string
}

function join(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/')
}
