/**
 * @module
 * Test wiring inside workerd: the app with a memory store and the OpenAI double, plus helpers to
 * deliver a webhook the way Supabase does and wait for its background work.
 */
import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env as workerEnv } from 'cloudflare:workers'
import { createOpenAiDouble, type ScriptStep, type TranscriptionStep } from '@relevo/testing/openai-double'
import { createApp } from '../app.ts'
import type { Bindings } from '../config/config.ts'
import { type ConversationAgent, provideAgentDeps } from '../durable-object.ts'
import { runPipeline } from '../pipeline/run-pipeline.ts'
import type { TenantSecrets, TenantSettings } from '../pipeline/types.ts'
import { createLogger } from '../shared/logger.ts'
import { type AppDeps, services } from '../wiring/services.ts'
import { demoTenant, MemoryStore, type StoredMessage } from './memory-store.ts'
import { messageWebhookInit, signedHeaders as signedWith } from './message-webhook.ts'

export const WEBHOOK_SECRET = 'test-webhook-secret'

/** The headers the database sends with a webhook body, signed with `secret` (the test secret) at `nowMs`. */
export function signedHeaders(body: string, secret = WEBHOOK_SECRET, nowMs = Date.now()) {
  return signedWith(body, secret, nowMs)
}

export interface HarnessOptions {
  tenant?: Partial<TenantSettings>
  secrets?: Partial<TenantSecrets>
  script?: ScriptStep[]
  env?: Partial<Bindings>
  sleep?: (ms: number) => Promise<void>
  outbound?: typeof fetch
  /** The key the OpenAI double accepts (default sk-test). */
  openaiKey?: string
  /** The OpenAI double's answers to /audio/transcriptions. */
  transcriptions?: TranscriptionStep[]
  /** Fetch of product images (the Shopify double's CDN). */
  imageFetch?: typeof fetch
}

export function harness(options: HarnessOptions = {}) {
  const store = new MemoryStore(demoTenant(options.tenant), options.secrets)
  const openai = createOpenAiDouble(options.script ?? [{ content: 'Hola, ¿en qué te ayudo?' }], {
    ...(options.openaiKey ? { apiKey: options.openaiKey } : {}),
    ...(options.transcriptions ? { transcriptions: options.transcriptions } : {}),
  })
  const deps: AppDeps = {
    stores: () => ({ store, maintenance: store, media: store }),
    outbound: options.outbound ?? openai.fetch,
    sleep: options.sleep ?? (async () => {}),
    now: () => store.now(),
    logger: createLogger('silent'),
    ...(options.imageFetch ? { imageFetch: options.imageFetch } : {}),
  }
  const env: Bindings = {
    CONVERSATION_AGENT: workerEnv.CONVERSATION_AGENT,
    SUPABASE_URL: 'http://127.0.0.1:54321',
    WEBHOOK_SECRET,
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: 'http://openai.double/v1',
    OPENAI_TIMEOUT_MS: '300',
    OPENAI_MAX_RETRIES: '1',
    LOG_LEVEL: 'silent',
    ...options.env,
  }
  // The agents run in this isolate (the plugin's main worker) and use the same doubles.
  provideAgentDeps(deps, env)
  const app = createApp(deps)

  async function webhook(
    message: Pick<StoredMessage, 'id' | 'conversationId' | 'direction'>,
    secret = WEBHOOK_SECRET,
  ) {
    const ctx = createExecutionContext()
    const response = await app.request(
      '/webhooks/db',
      await messageWebhookInit(secret, message, store.now()),
      env,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    await settle(message.conversationId)
    return response
  }

  /** The conversation's agent (its Durable Object stub). */
  function agent(conversationId: string): DurableObjectStub<ConversationAgent> {
    const namespace = workerEnv.CONVERSATION_AGENT
    return namespace.get(namespace.idFromName(conversationId))
  }

  /**
   * Runs the agent's alarms (ahead of real time: the test moves the store's clock instead) until
   * it has nothing scheduled, or an alarm only re-armed itself because the store's clock has not
   * reached the debounce window's end or the retry yet.
   */
  async function settle(conversationId: string, maxAlarms = 10): Promise<void> {
    const stub = agent(conversationId)
    const alarmAt = () => runInDurableObject(stub, (_o: ConversationAgent, state) => state.storage.getAlarm())
    const inFuture = (at: number | null) => at !== null && at > Date.now() + 1000
    for (let i = 0; i < maxAlarms; i++) {
      // The alarm may have fired on its own: wait for that handler before looking again.
      await stub.idle()
      const before = await alarmAt()
      if (before === null) return
      await runDurableObjectAlarm(stub)
      await stub.idle()
      if (inFuture(before) && inFuture(await alarmAt())) return
    }
  }

  return {
    store,
    openai,
    app,
    env,
    deps,
    webhook,
    agent,
    settle,
    run: (id: string) => runPipeline(id, services(env, deps)),
  }
}
