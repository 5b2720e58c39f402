/**
 * @module
 * The real chain for integration tests: the local Supabase stand-in over in-memory PGlite with
 * Relevo's migrations and seed, its database webhook pointed at the functions app served on
 * 127.0.0.1:0, and the OpenAI double on its own port (the SDK talks real HTTP to it).
 */
import type { Database } from '@relevo/supabase/db'
import type { ApiKeys, StandIn } from '@relevo/supabase/local'
import { DEMO_CHANNEL_ID, DEMO_TENANT_ID } from '@relevo/testing/demo-seed'
import { createGraphApiDouble, type GraphApiDouble } from '@relevo/testing/graph-api-double'
import { type MediaFixture, mediaFixture, sha256 } from '@relevo/testing/media-fixtures'
import {
  createOpenAiDouble,
  type OpenAiDouble,
  type ScriptStep,
  type TranscriptionStep,
} from '@relevo/testing/openai-double'
import { type Served, serve } from '@relevo/testing/serve'
import { startSeededStandIn } from '@relevo/testing/stand-in'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createApp } from '../src/app.ts'
import type { Bindings } from '../src/config/config.ts'
import { createLogger } from '../src/shared/logger.ts'
import { LocalAgents } from '../src/testing/local-agents.ts'
import { LocalDeliverers } from '../src/testing/local-deliverers.ts'
import { LocalSenders } from '../src/testing/local-senders.ts'
import { type AppDeps, services } from '../src/wiring/services.ts'
import { type TrackedContext, trackedContext } from './serve.ts'

export const TENANT_ID = DEMO_TENANT_ID
export const CHANNEL_ID = DEMO_CHANNEL_ID
export const WEBHOOK_SECRET = 'local-webhook-secret'
export const OPS_TOKEN = 'ops-token-for-tests'

export interface Backend {
  db: Database
  keys: ApiKeys
  standIn: StandIn
  openai: OpenAiDouble
  /** Meta's side of the demo Cloud API number; its webhooks go to the functions over HTTP. */
  graph: GraphApiDouble
  env: Bindings
  /** The app's dependencies, with the in-process conversation agents (pass to runScheduled). */
  deps: AppDeps
  functions: Served
  tracked: TrackedContext
  service: SupabaseClient
  /** A customer writes on WhatsApp: the connector's ingest_message. */
  ingest(
    body: string,
    options?: { waId?: string; phone?: string; name?: string },
  ): Promise<{ messageId: string; conversationId: string }>
  /**
   * A customer sends a file as the connector stores it (ADR 085): the row first (which wakes the
   * AI), then the upload to `media` and mark_media_stored.
   */
  ingestFile(
    kind: 'voice' | 'png',
    options?: { caption?: string; phone?: string },
  ): Promise<{ messageId: string; conversationId: string; fixture: MediaFixture }>
  /** Waits until delivered webhooks and the pipeline work they started have finished. */
  settle(): Promise<void>
  /** The in-process webhook endpoint deliverers (events out). */
  deliverers: LocalDeliverers
  signIn(email: string): Promise<string>
  close(): Promise<void>
}

export interface BackendOptions {
  script?: ScriptStep[]
  /** The OpenAI double's answers to /audio/transcriptions. */
  transcriptions?: TranscriptionStep[]
  env?: Partial<Bindings>
  deps?: Partial<AppDeps>
  /** The Graph API double's throughput limit (Meta's 130429 beyond it). */
  graphMessagesPerSecond?: number
  /** The stand-in over PostgreSQL (RELEVO_TEST_PG_URL) instead of PGlite: benchmarks. */
  postgres?: boolean
}

let waSeq = 0

/** Registers an `afterEach` that closes the backend a test started; returns the starter. */
export function backendPerTest(): (options?: BackendOptions) => Promise<Backend> {
  let current: Backend | undefined
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
  return async (options = {}) => {
    current = await startBackend(options)
    return current
  }
}

/**
 * Starts one backend for the whole file (closed after it) holding one chat the AI answered
 * ('hola' → 'hola'): the state the monitoring reads describe. Returns the backend's getter.
 */
export function answeredChatPerFile(): () => Backend {
  let started: Backend | undefined
  beforeAll(async () => {
    started = await startBackend({ script: [{ content: 'hola' }] })
    await started.ingest('hola')
    await started.settle()
  })
  afterAll(async () => {
    await started?.close()
  })
  return () => {
    if (!started) throw new Error('The backend starts in beforeAll: call the getter inside a test')
    return started
  }
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const stack = await startSeededStandIn({ webhooks: true, postgres: options.postgres ?? false })
  const { db, keys } = stack
  const standIn = stack.standIn()
  if (!standIn) throw new Error('the stand-in did not start')
  await db.query('update public.tenants set debounce_seconds = 0 where id = $1', [TENANT_ID])
  const openai = createOpenAiDouble(options.script ?? [{ content: 'Hola, soy la IA' }], {
    ...(options.transcriptions ? { transcriptions: options.transcriptions } : {}),
  })
  const openaiServer = await serve(openai.handle)
  const env: Bindings = {
    SUPABASE_URL: standIn.url,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    WEBHOOK_SECRET,
    OPS_TOKEN,
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${openaiServer.url}/v1`,
    OPENAI_MAX_RETRIES: '0',
    OPENAI_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'silent',
    ...options.env,
  }
  const tracked = trackedContext()
  // Conversation agents run in-process (the same logic as the Durable Object, memory storage).
  const deps: AppDeps = { logger: createLogger('silent'), ...options.deps }
  const agents = new LocalAgents(() => services(env, deps))
  deps.wake = () => agents.wake
  const deliverers = new LocalDeliverers(() => services(env, deps).deliverer())
  deps.wakeDeliverer = () => deliverers.wake
  // Channel senders too; they call the Graph API double, which calls back the served functions.
  const senders = new LocalSenders(() => services(env, deps))
  deps.wakeSender = () => senders.wake
  let graph: GraphApiDouble | undefined
  deps.graphFetch = (input, init) => (graph as GraphApiDouble).fetch(input, init)
  const app = createApp(deps)
  const functions = await serve((request) => Promise.resolve(app.fetch(request, env, tracked.ctx)))
  graph = createGraphApiDouble({
    webhook: `${functions.url}/webhooks/whatsapp`,
    ...(options.graphMessagesPerSecond ? { messagesPerSecond: options.graphMessagesPerSecond } : {}),
  })
  await db.query(
    `update private.webhook_config set url = $1 where name in ('incoming_message', 'event_delivery')`,
    [`${functions.url}/webhooks/db`],
  )
  const service = stack.service()

  return {
    db,
    keys,
    standIn,
    openai,
    graph,
    env,
    deps,
    functions,
    tracked,
    service,
    deliverers,
    async ingest(body, o = {}) {
      const phone = o.phone ?? '5215512345678'
      const { data, error } = await service.rpc('ingest_message', {
        p_channel_id: CHANNEL_ID,
        p_wa_message_id: o.waId ?? `wamid.TEST${++waSeq}`,
        p_wa_chat_id: `${phone}@c.us`,
        p_from_me: false,
        p_body: body,
        p_customer_name: o.name ?? 'Cliente',
        p_customer_phone: phone,
      })
      if (error) throw error
      const ingested = data as { message_id: string; conversation_id: string }
      return { messageId: ingested.message_id, conversationId: ingested.conversation_id }
    },
    async ingestFile(kind, o = {}) {
      const fixture = mediaFixture(kind)
      const phone = o.phone ?? '5215512345678'
      const { data, error } = await service.rpc('ingest_message', {
        p_channel_id: CHANNEL_ID,
        p_wa_message_id: `wamid.TEST${++waSeq}`,
        p_wa_chat_id: `${phone}@c.us`,
        p_from_me: false,
        p_body: o.caption ?? '',
        p_customer_name: 'Cliente',
        p_customer_phone: phone,
        p_type: kind === 'voice' ? 'audio' : 'image',
        p_media: {
          mimetype: fixture.mimetype,
          size: fixture.data.length,
          ...(fixture.voice ? { voice: true } : {}),
        },
      })
      if (error) throw error
      const ids = data as { message_id: string; conversation_id: string }
      const path = `${TENANT_ID}/${ids.conversation_id}/${ids.message_id}.${kind === 'voice' ? 'ogg' : 'png'}`
      const upload = await service.storage
        .from('media')
        .upload(path, fixture.data, { contentType: fixture.mimetype, upsert: true })
      if (upload.error) throw upload.error
      const stored = await service.rpc('mark_media_stored', {
        p_message_id: ids.message_id,
        p_media: {
          path,
          mimetype: fixture.mimetype,
          size: fixture.data.length,
          sha256: sha256(fixture.data),
        },
      })
      if (stored.error) throw stored.error
      return { messageId: ids.message_id, conversationId: ids.conversation_id, fixture }
    },
    async settle() {
      for (let i = 0; i < 3; i++) {
        await standIn.webhooks?.idle()
        await tracked.idle()
        await agents.idle()
        await deliverers.idle()
        await senders.idle()
      }
    },
    async signIn(email) {
      const { data, error } = await (await stack.signIn(email)).auth.getSession()
      if (error || !data.session) throw error ?? new Error('no session')
      return data.session.access_token
    },
    async close() {
      await functions.close()
      await openaiServer.close()
      await stack.close()
    },
  }
}
