/**
 * Benchmark: webhook received → AI reply queued, with a zero-latency OpenAI double and no
 * debounce (the window is the tenant's choice, not our cost). Two chains:
 *  - memory:   the Hono app with the in-memory store (the Worker's own overhead), direct (the
 *              webhook runs the pipeline) or through the conversation agent (decision 023);
 *  - stand-in: the Hono app against the local Supabase stand-in over PGlite, so every claim,
 *              read and enqueue_ai_reply is a real REST call into real SQL.
 * Writes bench/results/webhook-latency.json. Run: pnpm --filter @relevo/functions bench
 */
import { createOpenAiDouble } from '@relevo/testing/openai-double'
import { createShopifyDouble } from '@relevo/testing/shopify-double'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { startBackend } from '../integration/backend.ts'
import { trackedContext } from '../integration/serve.ts'
import { createApp } from '../src/app.ts'
import type { Bindings } from '../src/config/config.ts'
import { runPipeline } from '../src/pipeline/run-pipeline.ts'
import { createLogger } from '../src/shared/logger.ts'
import { demoTenant, MemoryStore } from '../src/testing/memory-store.ts'
import { messageWebhookInit } from '../src/testing/message-webhook.ts'
import { type AppDeps, services } from '../src/wiring/services.ts'
import { memoryWorker } from './memory-worker.ts'
import { loadAverage1m, reportHeader, writeResult } from './report.ts'

const silent = createLogger('silent')

function stats(samples: number[], elapsedMs: number) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2))
  return {
    n: samples.length,
    p50_ms: at(0.5),
    p95_ms: at(0.95),
    p99_ms: at(0.99),
    max_ms: at(1),
    mean_ms: Number((samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(2)),
    replies_per_second: Number(((samples.length / elapsedMs) * 1000).toFixed(1)),
  }
}

async function webhookRequest(secret: string, id: string, conversationId: string) {
  return new Request(
    'http://functions.local/webhooks/db',
    await messageWebhookInit(secret, { id, conversationId, direction: 'in' }),
  )
}

type Fire = () => Promise<number>

/** Runs `fires` with `concurrency` in flight; returns per-request latencies and wall time. */
async function drive(fires: Fire[], concurrency: number) {
  const samples: number[] = []
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < fires.length) {
        const fire = fires[next++]
        if (fire) samples.push(await fire())
      }
    }),
  )
  return { samples, elapsed: performance.now() - started }
}

type Path = 'direct' | 'object'

/** The direct path: the webhook runs the pipeline itself, as before decision 023. */
const inlineWake =
  (deps: AppDeps): AppDeps['wake'] =>
  (env) =>
  async (_conversationId, messageId) => {
    await runPipeline(messageId, services(env, deps))
  }

/**
 * The Hono app with the in-memory store. `direct`: the webhook runs the pipeline itself (the
 * waitUntil path before decision 023); `object`: it wakes the conversation's agent, whose alarm
 * runs it (the agent logic in-process, see src/testing/local-agents.ts). Done = reply enqueued.
 */
async function memoryChain(n: number, concurrency: number, path: Path) {
  const store = new MemoryStore()
  const openai = createOpenAiDouble([{ content: 'Hola' }])
  const enqueued = new Map<string, () => void>()
  const enqueue = store.enqueueReply.bind(store)
  store.enqueueReply = async (trigger, body) => {
    const result = await enqueue(trigger, body)
    enqueued.get(trigger)?.()
    return result
  }
  const { deps, env } = memoryWorker(store, openai.fetch)
  if (path === 'direct') deps.wake = inlineWake(deps)
  const app = createApp(deps)
  const fires: Fire[] = Array.from({ length: n }, () => {
    const conv = store.addConversation()
    const msg = store.receive(conv.id, 'hola')
    return async () => {
      const tracked = trackedContext()
      const t0 = performance.now()
      const replied = new Promise<void>((resolve) => enqueued.set(msg.id, resolve))
      const response = await app.fetch(await webhookRequest('s', msg.id, conv.id), env, tracked.ctx)
      await replied
      const ms = performance.now() - t0
      if (response.status !== 202 || store.outbox(conv.id).length !== 1) throw new Error('no reply queued')
      return ms
    }
  })
  return drive(fires, concurrency)
}

async function standInChain(n: number, path: Path) {
  const backend = await startBackend({ script: [{ content: 'Hola' }] })
  try {
    // We deliver the webhook ourselves, timed; the stand-in's own delivery is switched off.
    await backend.db.query(`delete from private.webhook_config where name = 'incoming_message'`)
    const deps = path === 'object' ? backend.deps : { ...backend.deps, wake: inlineWake(backend.deps) }
    const app = createApp(deps)
    const fires: Fire[] = []
    for (let i = 0; i < n; i++) {
      const { messageId, conversationId } = await backend.ingest('hola', {
        phone: `52155${String(10000000 + i)}`,
      })
      fires.push(async () => {
        const tracked = trackedContext()
        const t0 = performance.now()
        const response = await app.fetch(
          await webhookRequest(backend.env.WEBHOOK_SECRET ?? '', messageId, conversationId),
          backend.env,
          tracked.ctx,
        )
        await backend.settle()
        if (response.status !== 202) throw new Error(`status ${response.status}`)
        return performance.now() - t0
      })
    }
    const result = await drive(fires, 1)
    const { rows } = await backend.db.query<{ n: number }>(
      `select count(*)::int as n from public.messages where author = 'ai' and status = 'queued'`,
    )
    if (rows[0]?.n !== n) throw new Error(`expected ${n} AI replies queued, found ${rows[0]?.n}`)
    return result
  } finally {
    await backend.close()
  }
}

/**
 * CPU time of one AI run (process.cpuUsage, same V8 as workerd), 1 or 5 model rounds with
 * Shopify search between them; the doubles' share is included, so it is an upper bound.
 */
async function cpuPerRun(toolRounds: number, n: number) {
  setAbstractFetchFunc(createShopifyDouble().fetch)
  const search = { toolCalls: [{ name: 'search_products', arguments: { query: 'taza' } }] }
  const script = [...Array.from({ length: toolRounds }, () => search), { content: 'Listo' }]
  const store = new MemoryStore(demoTenant({ shopifyShopDomain: 'demo-store.myshopify.com' }), {
    shopifyAccessToken: 'shpat_test',
  })
  const env: Bindings = {
    SUPABASE_URL: 'http://127.0.0.1:54321',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: 'http://openai.double/v1',
    LOG_LEVEL: 'silent',
  }
  const samples: number[] = []
  for (let i = 0; i < n; i++) {
    const openai = createOpenAiDouble(script) // a fresh script per run
    const svc = services(env, {
      stores: () => ({ store, maintenance: store, media: store }),
      outbound: openai.fetch,
      logger: silent,
    })
    const msg = store.receive(store.addConversation().id, '¿tienen tazas?')
    const before = process.cpuUsage()
    const result = await runPipeline(msg.id, svc)
    const used = process.cpuUsage(before)
    if (result.outcome !== 'replied') throw new Error(`run ${result.outcome}: ${result.reason}`)
    samples.push((used.user + used.system) / 1000)
  }
  const { p50_ms, p99_ms, mean_ms } = stats(samples.slice(n / 10), 1) // the first tenth warms the JIT
  const cold_ms = Number(samples[0]?.toFixed(2))
  return {
    name: `CPU of one AI run, ${toolRounds + 1} model round(s)`,
    n,
    cpu_cold_first_run_ms: cold_ms,
    cpu_p50_ms: p50_ms,
    cpu_p99_ms: p99_ms,
    cpu_mean_ms: mean_ms,
  }
}

const loadBefore = loadAverage1m()
const scenarios: Record<string, unknown>[] = []
for (const [name, run] of [
  ['memory, direct, sequential', () => memoryChain(2000, 1, 'direct')],
  ['memory, object, sequential', () => memoryChain(2000, 1, 'object')],
  ['memory, direct, 200 conversations at once', () => memoryChain(2000, 200, 'direct')],
  ['memory, object, 200 conversations at once', () => memoryChain(2000, 200, 'object')],
  ['stand-in (PGlite), direct, sequential', () => standInChain(150, 'direct')],
  ['stand-in (PGlite), object, sequential', () => standInChain(150, 'object')],
] as const) {
  const { samples, elapsed } = await run()
  const result = { name, ...stats(samples, elapsed) }
  console.log(JSON.stringify(result))
  scenarios.push(result)
}

for (const rounds of [0, 4]) {
  const result = await cpuPerRun(rounds, 500)
  console.log(JSON.stringify(result))
  scenarios.push(result)
}

const report = {
  ...reportHeader('webhook received → AI reply queued (zero-latency model, debounce 0)', loadBefore),
  targets: { p50_ms: 50, p99_ms: 200 },
  scenarios,
}
await writeResult('webhook-latency', report)
