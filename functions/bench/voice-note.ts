/**
 * Benchmark: voice note → transcript → AI reply queued, minus the model's and the transcription
 * server's time (ADR 081; issue 15's target: p50 < 300 ms). The file is already in Storage (the
 * connector's part is measured by its own bench); debounce 0; the OpenAI double answers both the
 * transcription and the chat at once. Every call to it is timed where the pipeline makes it
 * (request sent → answer read, loopback HTTP included) and subtracted from that sample.
 *  - memory:   the app with the in-memory store and Storage (the Worker's own overhead);
 *  - stand-in: the app against the local Supabase stand-in over PGlite: the download from
 *              Storage, set_message_transcript, the claim and enqueue_ai_reply are real REST calls.
 * Writes bench/results/voice-note.json. Run: pnpm --filter @relevo/functions bench
 */
import { mediaFixture } from '@relevo/testing/media-fixtures'
import { createOpenAiDouble } from '@relevo/testing/openai-double'
import { startBackend } from '../integration/backend.ts'
import { trackedContext } from '../integration/serve.ts'
import { createApp } from '../src/app.ts'
import { MemoryStore } from '../src/testing/memory-store.ts'
import { messageWebhookInit } from '../src/testing/message-webhook.ts'
import { memoryWorker } from './memory-worker.ts'
import { loadAverage1m, reportHeader, writeResult } from './report.ts'

const TRANSCRIPT = 'Hola, quería saber si todavía tienen la taza azul y cuánto cuesta el envío a Puebla'

/** A fetch that adds the time of each call (until its body is read) to `spent.ms`. */
function timedFetch(inner: typeof fetch, spent: { ms: number }): typeof fetch {
  return async (input, init) => {
    const t0 = performance.now()
    const response = await inner(input, init)
    const body = await response.arrayBuffer()
    spent.ms += performance.now() - t0
    return new Response(body, { status: response.status, headers: response.headers })
  }
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2))
  return { n: samples.length, p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99), max_ms: at(1) }
}

interface Sample {
  total: number
  external: number
}

function summary(name: string, samples: Sample[]) {
  return {
    name,
    minus_model_and_transcription: stats(samples.map((s) => s.total - s.external)),
    total_including_doubles: stats(samples.map((s) => s.total)),
  }
}

async function memoryChain(n: number): Promise<Sample[]> {
  const store = new MemoryStore()
  const openai = createOpenAiDouble([{ content: 'Sí, la tenemos' }], {
    transcriptions: [{ text: TRANSCRIPT }],
  })
  const spent = { ms: 0 }
  const { deps, env, agents } = memoryWorker(store, timedFetch(openai.fetch, spent))
  const app = createApp(deps)
  const voice = mediaFixture('voice')
  const samples: Sample[] = []
  for (let i = 0; i < n; i++) {
    const conv = store.addConversation()
    const note = store.receiveFile(conv.id, { type: 'audio', mimetype: voice.mimetype, bytes: voice.data })
    spent.ms = 0
    const t0 = performance.now()
    const init = await messageWebhookInit('s', { id: note.id, conversationId: conv.id, direction: 'in' })
    await app.fetch(new Request('http://functions.local/webhooks/db', init), env, trackedContext().ctx)
    await agents.idle()
    samples.push({ total: performance.now() - t0, external: spent.ms })
    if (store.outbox(conv.id).length !== 1) throw new Error('no reply queued')
  }
  return samples
}

async function standInChain(n: number): Promise<Sample[]> {
  const spent = { ms: 0 }
  const backend = await startBackend({
    script: [{ content: 'Sí, la tenemos' }],
    transcriptions: [{ text: TRANSCRIPT }],
    deps: { outbound: timedFetch((input, init) => fetch(input, init), spent) },
  })
  try {
    // We deliver the webhook ourselves, timed; the stand-in's own delivery is switched off.
    await backend.db.query(`delete from private.webhook_config where name = 'incoming_message'`)
    const app = createApp(backend.deps)
    const samples: Sample[] = []
    for (let i = 0; i < n; i++) {
      const note = await backend.ingestFile('voice', { phone: `52155${String(20000000 + i)}` })
      spent.ms = 0
      const t0 = performance.now()
      const init = await messageWebhookInit(backend.env.WEBHOOK_SECRET ?? '', {
        id: note.messageId,
        conversationId: note.conversationId,
        direction: 'in',
      })
      await app.fetch(
        new Request('http://functions.local/webhooks/db', init),
        backend.env,
        trackedContext().ctx,
      )
      await backend.settle()
      samples.push({ total: performance.now() - t0, external: spent.ms })
    }
    const { rows } = await backend.db.query<{ replies: number; transcripts: number }>(
      `select count(*) filter (where author = 'ai' and status = 'queued')::int as replies,
              count(*) filter (where transcript = $1)::int as transcripts from public.messages`,
      [TRANSCRIPT],
    )
    if (rows[0]?.replies !== n || rows[0]?.transcripts !== n) {
      throw new Error(`expected ${n} transcripts and replies, found ${JSON.stringify(rows[0])}`)
    }
    return samples
  } finally {
    await backend.close()
  }
}

const loadBefore = loadAverage1m()
const scenarios = []
for (const [name, run] of [
  ['memory store, sequential', () => memoryChain(300)],
  ['stand-in (PGlite, REST + Storage), sequential', () => standInChain(40)],
] as const) {
  const result = summary(name, await run())
  console.log(JSON.stringify(result))
  scenarios.push(result)
}

const report = {
  ...reportHeader(
    'voice note → transcript → AI reply queued, minus model and transcription time (debounce 0)',
    loadBefore,
  ),
  targets: { p50_ms: 300 },
  scenarios,
}
await writeResult('voice-note', report)
