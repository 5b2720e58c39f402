import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIVE_CLAIM_SECONDS } from '../src/pipeline/run-budget.ts'
import type { MaintenanceStore, PipelineStore } from '../src/pipeline/store.ts'
import { MemoryStore } from '../src/testing/memory-store.ts'
import { services } from '../src/wiring/services.ts'
import { type Backend, startBackend } from './backend.ts'

/**
 * The claim of an AI run is one rule, owned by SQL (claim_ai_run, abandoned_ai_runs). The same
 * cases run against the real functions through the stand-in and against the in-memory store the
 * workerd tests use, so the fake cannot follow a different rule.
 */
interface Subject {
  store: PipelineStore
  maintenance: MaintenanceStore
  /** A new customer message; returns its id. */
  incoming(): Promise<string>
  /** Makes every claim so far older than the live window. */
  ageClaims(seconds: number): Promise<void>
  close(): Promise<void>
}

async function sqlSubject(): Promise<Subject> {
  const b: Backend = await startBackend()
  await b.db.query(`delete from private.webhook_config where name = 'incoming_message'`)
  const svc = services(b.env, b.deps)
  let phone = 5215500000000
  return {
    store: svc.store,
    maintenance: svc.maintenance,
    incoming: async () => (await b.ingest('hola', { phone: String(++phone) })).messageId,
    ageClaims: async (seconds) => {
      await b.db.query(`update public.ai_runs set created_at = created_at - make_interval(secs => $1)`, [
        seconds,
      ])
    },
    close: () => b.close(),
  }
}

async function memorySubject(): Promise<Subject> {
  const store = new MemoryStore()
  return {
    store,
    maintenance: store,
    incoming: async () =>
      store.receive(store.addConversation(String(Math.random()).slice(2, 15)).id, 'hola').id,
    ageClaims: async (seconds) => store.advance(seconds * 1000),
    close: async () => {},
  }
}

describe.each([
  ['SQL functions through the stand-in', sqlSubject],
  ['in-memory store', memorySubject],
])('AI run claim: %s', (_name, open) => {
  let s: Subject
  beforeAll(async () => {
    s = await open()
  })
  afterAll(async () => {
    await s?.close()
  })
  const trigger = async () => {
    const message = await s.store.getMessage(await s.incoming())
    if (!message) throw new Error('the incoming message was not stored')
    return message
  }

  it('lets the first claim of a trigger win and the second lose', async () => {
    const message = await trigger()
    const first = await s.store.claimRun(message, 'openai')
    const second = await s.store.claimRun(message, 'openai')
    expect([first.won, second.won]).toEqual([true, false])
    expect(first.runId).not.toBe(second.runId)
  })

  it('never lets a claim win after a reply or a handoff, however old', async () => {
    const message = await trigger()
    const first = await s.store.claimRun(message, 'openai')
    await s.store.finishRun(first.runId, {
      provider: 'openai',
      model: 'gpt-4o-mini',
      promptTokens: 1,
      completionTokens: 1,
      latencyMs: 1,
      tools: [],
      outcome: 'replied',
      reason: null,
      replyMessageId: null,
    })
    await s.ageClaims(LIVE_CLAIM_SECONDS + 60)
    expect((await s.store.claimRun(message, 'openai')).won).toBe(false)
  })

  it('treats a claim past the live window as abandoned: it blocks nobody and the sweeper sees it', async () => {
    const message = await trigger()
    const stale = await s.store.claimRun(message, 'openai')
    await s.ageClaims(LIVE_CLAIM_SECONDS + 1)
    expect((await s.maintenance.abandonedRuns()).map((r) => r.runId)).toContain(stale.runId)
    expect((await s.store.claimRun(message, 'openai')).won).toBe(true)
  })
})

describe('the live window', () => {
  it('is the same in SQL and in the functions (LIVE_CLAIM_SECONDS)', async () => {
    const b = await startBackend()
    try {
      const { rows } = await b.db.query<{ seconds: number }>('select private.live_claim_seconds() as seconds')
      expect(rows[0]?.seconds).toBe(LIVE_CLAIM_SECONDS)
    } finally {
      await b.close()
    }
  })
})

describe('a finished run', () => {
  it('keeps each tool call with how many items it found, for the desk to show', async () => {
    const b = await startBackend()
    try {
      await b.db.query(`delete from private.webhook_config where name = 'incoming_message'`)
      const { store } = services(b.env, b.deps)
      const message = await store.getMessage((await b.ingest('busco tenis')).messageId)
      if (!message) throw new Error('the incoming message was not stored')
      const { runId } = await store.claimRun(message, 'openai')
      await store.finishRun(runId, {
        provider: 'openai',
        model: 'gpt-4o-mini',
        promptTokens: 10,
        completionTokens: 5,
        latencyMs: 300,
        tools: [
          { name: 'search_products', ok: true, ms: 120, count: 3 },
          { name: 'order_status', ok: false, ms: 40 },
        ],
        outcome: 'replied',
        reason: null,
        replyMessageId: null,
      })
      const { rows } = await b.db.query<{ tools: unknown }>(
        'select tools from public.ai_runs where id = $1',
        [runId],
      )
      expect(rows[0]?.tools).toEqual([
        { name: 'search_products', ok: true, ms: 120, count: 3 },
        { name: 'order_status', ok: false, ms: 40 },
      ])
    } finally {
      await b.close()
    }
  })
})
