/**
 * @module
 * Test wiring inside workerd: the app with a memory store and the OpenAI double, plus helpers to
 * deliver a webhook the way Supabase does and wait for its background work.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { createOpenAiDouble, type ScriptStep } from '@relevo/testing/openai-double'
import { createApp } from '../app.ts'
import type { Bindings } from '../lib/config.ts'
import { createLogger } from '../lib/logger.ts'
import { type AppDeps, services } from '../lib/services.ts'
import { runPipeline } from '../pipeline/run-pipeline.ts'
import type { TenantSecrets, TenantSettings } from '../pipeline/types.ts'
import { demoTenant, MemoryStore, type StoredMessage } from './memory-store.ts'

export const WEBHOOK_SECRET = 'test-webhook-secret'

export interface HarnessOptions {
  tenant?: Partial<TenantSettings>
  secrets?: Partial<TenantSecrets>
  script?: ScriptStep[]
  env?: Partial<Bindings>
  sleep?: (ms: number) => Promise<void>
  outbound?: typeof fetch
  /** The key the OpenAI double accepts (default sk-test). */
  openaiKey?: string
}

export function harness(options: HarnessOptions = {}) {
  const store = new MemoryStore(demoTenant(options.tenant), options.secrets)
  const openai = createOpenAiDouble(options.script ?? [{ content: 'Hola, ¿en qué te ayudo?' }], {
    ...(options.openaiKey ? { apiKey: options.openaiKey } : {}),
  })
  const deps: AppDeps = {
    stores: () => ({ store, maintenance: store }),
    outbound: options.outbound ?? openai.fetch,
    sleep: options.sleep ?? (async () => {}),
    now: () => store.now(),
    logger: createLogger('silent'),
  }
  const env: Bindings = {
    SUPABASE_URL: 'http://127.0.0.1:54321',
    WEBHOOK_SECRET,
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: 'http://openai.double/v1',
    OPENAI_TIMEOUT_MS: '300',
    OPENAI_MAX_RETRIES: '1',
    LOG_LEVEL: 'silent',
    ...options.env,
  }
  const app = createApp(deps)

  async function webhook(
    message: Pick<StoredMessage, 'id' | 'conversationId' | 'direction'>,
    secret = WEBHOOK_SECRET,
  ) {
    const ctx = createExecutionContext()
    const response = await app.request(
      '/webhooks/db',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-relevo-webhook-secret': secret },
        body: JSON.stringify({
          type: 'INSERT',
          table: 'messages',
          schema: 'public',
          record: { id: message.id, conversation_id: message.conversationId, direction: message.direction },
          old_record: null,
        }),
      },
      env,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    return response
  }

  return { store, openai, app, env, deps, webhook, run: (id: string) => runPipeline(id, services(env, deps)) }
}
