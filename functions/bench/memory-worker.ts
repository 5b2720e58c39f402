/**
 * The functions app's deps and env over a MemoryStore, with the conversation agents in-process:
 * the benchmarks' memory scenarios, which measure the Worker's own overhead without a database.
 */
import type { Bindings } from '../src/config/config.ts'
import { createLogger } from '../src/shared/logger.ts'
import { LocalAgents } from '../src/testing/local-agents.ts'
import type { MemoryStore } from '../src/testing/memory-store.ts'
import { type AppDeps, services } from '../src/wiring/services.ts'

/** `outbound` answers the model's (and transcription's) calls: the OpenAI double, maybe timed. `agents.idle()` waits for their runs. */
export function memoryWorker(store: MemoryStore, outbound: typeof fetch) {
  const deps: AppDeps = {
    stores: () => ({ store, maintenance: store, media: store }),
    outbound,
    logger: createLogger('silent'),
  }
  const env: Bindings = {
    SUPABASE_URL: 'http://127.0.0.1:54321',
    WEBHOOK_SECRET: 's',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: 'http://openai.double/v1',
    LOG_LEVEL: 'silent',
  }
  const agents = new LocalAgents(() => services(env, deps))
  deps.wake = () => agents.wake
  return { deps, env, agents }
}
