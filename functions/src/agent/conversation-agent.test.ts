import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { customerTurns, type DoubleTurn, type ScriptStep } from '@relevo/testing/openai-double'
import { createShopifyDouble } from '@relevo/testing/shopify-double'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { beforeEach, describe, expect, it } from 'vitest'
import { runScheduled } from '../app.ts'
import type { ConversationAgent } from '../durable-object.ts'
import { harness } from '../testing/harness.ts'
import { type InFlight, MAX_ATTEMPTS, retryDelayMs } from './conversation-agent.ts'

const SHOP = { shopifyShopDomain: 'demo-store.myshopify.com' }
const SHOP_SECRETS = { shopifyAccessToken: 'shpat_test' }

beforeEach(() => setAbstractFetchFunc(createShopifyDouble().fetch))

type Harness = ReturnType<typeof harness>

/** What the agent keeps in its storage, and its alarm (null when idle). */
async function agentState(h: Harness, conversationId: string) {
  return runInDurableObject(h.agent(conversationId), async (_o: ConversationAgent, state) => ({
    pending: (await state.storage.get('pending')) ?? null,
    inflight: (await state.storage.get('inflight')) ?? null,
    alarm: await state.storage.getAlarm(),
  }))
}

/** A model turn that takes `ms` on the store's clock (the services' clock the run is timed with). */
const slow =
  (h: { current?: Harness }, ms: number, turn: DoubleTurn): ScriptStep =>
  async () => {
    h.current?.store.advance(ms)
    return turn
  }

describe('ConversationAgent (Durable Object per conversation)', () => {
  it('answers a burst of five messages across 20 s with a 15 s debounce once, to the last', async () => {
    const h = harness({ tenant: { debounceSeconds: 15 }, script: [{ content: 'Te ayudo con todo' }] })
    const conv = h.store.addConversation()
    const burst = []
    for (let i = 0; i < 5; i++) {
      if (i > 0) h.store.advance(4_000) // + the store's 1 s per message: one every 5 s
      const msg = h.store.receive(conv.id, `mensaje ${i + 1}`)
      expect((await h.webhook(msg)).status).toBe(202)
      burst.push(msg)
    }
    const last = burst[4]
    expect(Date.parse(last?.createdAt ?? '') - Date.parse(burst[0]?.createdAt ?? '')).toBe(20_000)
    expect(h.openai.requests).toHaveLength(0) // still inside the window of the last message
    const waiting = await agentState(h, conv.id)
    expect(waiting.pending).toMatchObject({ messageId: last?.id })
    expect(waiting.alarm).toBeGreaterThan(Date.now() + 10_000)

    h.store.advance(15_000)
    await h.settle(conv.id)
    expect(h.store.outbox(conv.id)).toEqual([
      expect.objectContaining({ author: 'ai', body: 'Te ayudo con todo', inReplyTo: last?.id }),
    ])
    expect(h.openai.requests).toHaveLength(1)
    expect(customerTurns(h.openai.requests[0])).toHaveLength(5)
    expect(h.store.runs.map((r) => r.outcome)).toEqual(['replied'])
    expect(await agentState(h, conv.id)).toEqual({ pending: null, inflight: null, alarm: null })
  })

  it('delivers the reply of a model that takes 45 s (longer than waitUntil allows)', async () => {
    const ref: { current?: Harness } = {}
    const h = harness({ script: [slow(ref, 45_000, { content: 'Perdón la espera' })] })
    ref.current = h
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    await h.webhook(msg)
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['Perdón la espera'])
    expect(h.store.runs).toEqual([expect.objectContaining({ outcome: 'replied' })])
    expect(h.store.runs[0]?.latencyMs).toBeGreaterThanOrEqual(45_000)
    expect(await agentState(h, conv.id)).toEqual({ pending: null, inflight: null, alarm: null })
  })

  it('delivers the reply after five model rounds of 45 s each with Shopify tools', async () => {
    const ref: { current?: Harness } = {}
    const search = { toolCalls: [{ name: 'search_products', arguments: { query: 'taza' } }] }
    const h = harness({
      tenant: SHOP,
      secrets: SHOP_SECRETS,
      script: [
        ...Array.from({ length: 4 }, () => slow(ref, 45_000, search)),
        slow(ref, 45_000, { content: 'La Taza Azul Talavera cuesta 249 MXN' }),
      ],
    })
    ref.current = h
    const conv = h.store.addConversation()
    await h.webhook(h.store.receive(conv.id, '¿tienen tazas?'))
    expect(h.openai.requests).toHaveLength(5)
    expect(h.openai.requests[4]?.tool_choice).toBe('none') // the last round must answer in text
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['La Taza Azul Talavera cuesta 249 MXN'])
    expect(h.store.runs[0]?.tools).toHaveLength(4)
    expect(h.store.runs[0]?.latencyMs).toBeGreaterThanOrEqual(225_000)
  })

  it('cancels the run when a person takes over while the alarm is pending', async () => {
    const h = harness({ tenant: { debounceSeconds: 15 } })
    const conv = h.store.addConversation()
    await h.webhook(h.store.receive(conv.id, 'hola'))
    expect((await agentState(h, conv.id)).alarm).not.toBeNull()
    h.store.takeover(conv.id)
    h.store.advance(15_000)
    await h.settle(conv.id)
    expect(h.openai.requests).toHaveLength(0)
    expect(h.store.outbox(conv.id)).toEqual([])
    expect(h.store.runs).toEqual([])
    expect(await agentState(h, conv.id)).toEqual({ pending: null, inflight: null, alarm: null })
  })

  it('sends no AI message when a person takes over while the model is generating', async () => {
    const ref: { current?: Harness } = {}
    const h = harness({
      script: [
        async () => {
          const conv = [...(ref.current?.store.conversations.values() ?? [])][0]
          if (conv) ref.current?.store.takeover(conv.id)
          return { content: 'demasiado tarde' }
        },
      ],
    })
    ref.current = h
    const conv = h.store.addConversation()
    await h.webhook(h.store.receive(conv.id, 'hola'))
    expect(h.openai.requests).toHaveLength(1)
    expect(h.store.outbox(conv.id)).toEqual([])
    expect(h.store.runs).toEqual([expect.objectContaining({ outcome: 'dropped', reason: 'not_ai_mode' })])
  })

  it('cancels the run when the customer deletes the message before the alarm', async () => {
    const h = harness({ tenant: { debounceSeconds: 15 } })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'chat equivocado')
    await h.webhook(msg)
    h.store.revoke(msg.id)
    h.store.advance(15_000)
    await h.settle(conv.id)
    expect(h.openai.requests).toHaveLength(0)
    expect(h.store.runs).toEqual([])
  })

  it('runs once when the object is evicted between the message and its alarm', async () => {
    const h = harness({ tenant: { debounceSeconds: 15 }, script: [{ content: 'Aquí sigo' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    await h.webhook(msg)
    const before = await agentState(h, conv.id)
    await evictDurableObject(h.agent(conv.id))
    // A fresh instance: only storage survived, and it still holds the trigger and the alarm.
    expect(await agentState(h, conv.id)).toEqual(before)
    h.store.advance(15_000)
    await h.settle(conv.id)
    expect(h.store.outbox(conv.id).map((m) => [m.body, m.inReplyTo])).toEqual([['Aquí sigo', msg.id]])
    expect(h.openai.requests).toHaveLength(1)
    expect(h.store.runs.map((r) => r.outcome)).toEqual(['replied'])
  })

  it('gives one run and one reply to two webhooks and the sweeper for the same message at once', async () => {
    const h = harness({ script: [{ content: 'Una sola vez' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    const [a, b, swept] = await Promise.all([h.webhook(msg), h.webhook(msg), runScheduled(h.env, h.deps)])
    await h.settle(conv.id)
    expect([a.status, b.status]).toEqual([202, 202])
    expect(swept).toMatchObject({ woken: 1, errors: [] })
    expect(h.openai.requests).toHaveLength(1)
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['Una sola vez'])
    expect(h.store.runs.map((r) => r.outcome)).toEqual(['replied'])
  })

  it('treats the same message again as a duplicate while pending and once answered, without re-reading it', async () => {
    const h = harness({ tenant: { debounceSeconds: 15 }, script: [{ content: 'Hola' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    const agent = h.agent(conv.id)
    expect(await agent.notify(conv.id, msg.id)).toBe('scheduled')
    await h.settle(conv.id)
    const waiting = await agentState(h, conv.id)
    expect(await agent.notify(conv.id, msg.id)).toBe('duplicate')
    expect(await agentState(h, conv.id)).toEqual(waiting) // the due time and the alarm are kept
    h.store.advance(15_000)
    await h.settle(conv.id)
    expect(await agent.notify(conv.id, msg.id)).toBe('duplicate')
    expect(await agentState(h, conv.id)).toEqual({ pending: null, inflight: null, alarm: null })
    expect(h.store.outbox(conv.id)).toHaveLength(1)
  })

  it('re-drives a run that was cut off mid-way instead of waiting out its live claim', async () => {
    const h = harness({ script: [{ content: 'Retomo tu pregunta' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    // What a run killed with its instance leaves: a live claim in SQL and the run in storage.
    const claim = await h.store.claimRun(msg, 'openai')
    const inflight: InFlight = {
      conversationId: conv.id,
      messageId: msg.id,
      attempts: 0,
      claim: { runId: claim.runId, provider: 'openai' },
    }
    await runInDurableObject(h.agent(conv.id), async (_o: ConversationAgent, state) => {
      await state.storage.put('inflight', inflight)
      await state.storage.setAlarm(Date.now())
    })
    await h.settle(conv.id) // the watchdog alarm: the cut-off claim is closed, a retry scheduled
    expect(h.store.runs[0]).toMatchObject({ outcome: 'failed', reason: 'ai_run_interrupted' })
    h.store.advance(retryDelayMs(1))
    await h.settle(conv.id)
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['Retomo tu pregunta'])
    expect(h.store.runs.map((r) => r.outcome)).toEqual(['failed', 'replied'])
  })

  it('retries a run that threw with backoff, and answers when the database is back', async () => {
    const h = harness({ script: [{ content: 'Ya volví' }] })
    const conv = h.store.addConversation()
    const read = h.store.getConversation.bind(h.store)
    let outages = 2
    h.store.getConversation = async (id) => {
      if (outages-- > 0) throw new Error('database unreachable')
      return read(id)
    }
    await h.webhook(h.store.receive(conv.id, 'hola'))
    expect((await agentState(h, conv.id)).pending).toMatchObject({ attempts: 1 })
    h.store.advance(retryDelayMs(1) - 1_000)
    await h.settle(conv.id)
    expect(outages).toBe(1) // not yet: the backoff is not over
    h.store.advance(1_000)
    await h.settle(conv.id)
    expect((await agentState(h, conv.id)).pending).toMatchObject({ attempts: 2 })
    h.store.advance(retryDelayMs(2))
    await h.settle(conv.id)
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['Ya volví'])
    expect(await agentState(h, conv.id)).toEqual({ pending: null, inflight: null, alarm: null })
  })

  it(`hands the chat to a person after ${MAX_ATTEMPTS} failed attempts`, async () => {
    const h = harness()
    const conv = h.store.addConversation()
    h.store.getConversation = async () => {
      throw new Error('database unreachable')
    }
    await h.webhook(h.store.receive(conv.id, 'hola'))
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      h.store.advance(retryDelayMs(attempt))
      await h.settle(conv.id)
    }
    const stored = h.store.conversations.get(conv.id)
    expect(stored).toMatchObject({ mode: 'human', attentionReason: 'ai_run_failed' })
    expect(h.openai.requests).toHaveLength(0)
    expect(await agentState(h, conv.id)).toEqual({ pending: null, inflight: null, alarm: null })
  })
})
