import { createOpenAiDouble, toolResult } from '@relevo/testing/openai-double'
import { describe, expect, it } from 'vitest'
import { readConfig } from '../config/config.ts'
import { createOpenAiProvider } from '../providers/openai-provider.ts'
import type { Tool } from '../tools/types.ts'
import type { AiContext } from './provider.ts'
import {
  ALARM_WALL_LIMIT_MS,
  LIVE_CLAIM_SECONDS,
  MEDIA_BUDGET_MS,
  MODEL_BUDGET_MS,
  REPLY_IMAGE_BUDGET_MS,
  TOOL_BUDGET_MS,
  WATCHDOG_MS,
  worstModelMs,
} from './run-budget.ts'

const context: AiContext = {
  tenant: { id: 't', name: 'Demo', language: 'es', systemPrompt: '' },
  conversation: { id: 'c', channelId: 'ch' },
  customer: { name: 'Ana', phone: null },
  messages: [{ id: 'm', author: 'customer', body: '¿tienen tazas?', createdAt: '2026-11-25T12:00:00Z' }],
  triggerMessageId: 'm',
  storeFacts: [],
}

/** A tool that never answers (a shop that hangs). */
const hanging: Tool = {
  name: 'search_products',
  description: 'search',
  parameters: { type: 'object', properties: {} },
  run: () => new Promise(() => {}),
}

describe('run budget', () => {
  it('refuses a model timeout whose worst case would outlive the run budget', () => {
    const base = { SUPABASE_URL: 'http://127.0.0.1:54321' }
    expect(readConfig(base).OPENAI_TIMEOUT_MS).toBe(20_000)
    expect(worstModelMs(20_000, 1)).toBeLessThanOrEqual(MODEL_BUDGET_MS)
    expect(() => readConfig({ ...base, OPENAI_TIMEOUT_MS: '60000', OPENAI_MAX_RETRIES: '2' })).toThrow(
      /900 s, over the 200 s/,
    )
    expect(() => readConfig({ ...base, AI_HTTP_TIMEOUT_MS: '90000' })).toThrow(/AI_HTTP_TIMEOUT_MS/)
  })

  it('keeps the worst run inside the watchdog, the 5-minute live claim and the 15-minute alarm limit', () => {
    const worstRun = MODEL_BUDGET_MS + TOOL_BUDGET_MS + MEDIA_BUDGET_MS + REPLY_IMAGE_BUDGET_MS
    expect(worstRun).toBeLessThan(WATCHDOG_MS)
    expect(WATCHDOG_MS).toBeLessThan(LIVE_CLAIM_SECONDS * 1000)
    expect(LIVE_CLAIM_SECONDS * 1000).toBeLessThan(ALARM_WALL_LIMIT_MS)
  })

  /** The real provider against the double, with one tool that never answers and a 30 ms tool timeout. */
  const hangingToolProvider = (fetch: typeof globalThis.fetch, budget: { toolBudgetMs?: number } = {}) =>
    createOpenAiProvider({
      apiKey: 'sk-test',
      baseURL: 'http://openai.double/v1',
      model: 'gpt-4o-mini',
      tools: [hanging],
      timeoutMs: 1_000,
      maxRetries: 0,
      toolTimeoutMs: 30,
      ...budget,
      fetch,
    })

  it('tells the model a hanging tool failed, within the tool timeout, and still replies', async () => {
    const openai = createOpenAiDouble([
      { toolCalls: [{ name: 'search_products', arguments: { query: 'taza' } }] },
      (request) => ({ content: `tool said: ${JSON.stringify(toolResult(request, 'search_products'))}` }),
    ])
    const provider = hangingToolProvider(openai.fetch)
    const result = await provider.generate(context)
    expect(result.decision).toEqual({
      kind: 'reply',
      text: 'tool said: {"error":"search_products timed out after 30 ms"}',
    })
    expect(result.tools).toEqual([expect.objectContaining({ name: 'search_products', ok: false })])
  })

  it('stops calling tools once the run used up its tool budget', async () => {
    const search = { toolCalls: [{ name: 'search_products', arguments: { query: 'taza' } }] }
    const openai = createOpenAiDouble([search, search, { content: 'sin datos de la tienda' }])
    const provider = hangingToolProvider(openai.fetch, { toolBudgetMs: 20 })
    const result = await provider.generate(context)
    const lastTool = openai.requests[2]?.messages.filter((m) => m.role === 'tool').at(-1)
    expect(lastTool?.content).toContain('budget')
    expect(result.decision).toEqual({ kind: 'reply', text: 'sin datos de la tienda' })
  })
})
