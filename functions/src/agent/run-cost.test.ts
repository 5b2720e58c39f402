/**
 * What one AI run costs inside workerd, against Cloudflare's per-invocation limits (decision 023):
 * subrequests (PostgREST calls of the real store + model requests + Shopify queries) and time.
 * The doubles answer in-process, so an alarm's wall time here is CPU time plus the runtime's own
 * overhead: an upper bound of the CPU ms Cloudflare would bill. Printed for functions/README.md.
 */

import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import type { DoubleTurn } from '@relevo/testing/openai-double'
import { createShopifyDouble } from '@relevo/testing/shopify-double'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { describe, expect, it } from 'vitest'
import type { ConversationAgent } from '../durable-object.ts'
import type { PipelineStore } from '../pipeline/store.ts'
import { harness } from '../testing/harness.ts'

const FREE_PLAN_SUBREQUESTS = 50

function countingStore(store: PipelineStore, counts: Map<string, number>): PipelineStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const key = String(name)
        // Each call of the Supabase store is one PostgREST request (claimRun is the claim_ai_run rpc).
        counts.set(key, (counts.get(key) ?? 0) + 1)
        return value.apply(target, args)
      }
    },
  })
}

async function measure(toolRounds: number, runs = 12) {
  const shopify = createShopifyDouble()
  setAbstractFetchFunc(shopify.fetch)
  const search: DoubleTurn = { toolCalls: [{ name: 'search_products', arguments: { query: 'taza' } }] }
  const script = [...Array.from({ length: toolRounds }, () => search), { content: 'Listo' }]
  const wallMs: number[] = []
  const idleMs: number[] = []
  let cost = { postgrest: 0, model: 0, shopify: 0 }
  for (let i = 0; i < runs; i++) {
    const h = harness({
      tenant: { debounceSeconds: 15, shopifyShopDomain: 'demo-store.myshopify.com' },
      secrets: { shopifyAccessToken: 'shpat_test' },
      script,
    })
    const counts = new Map<string, number>()
    const conv = h.store.addConversation()
    await h.webhook(h.store.receive(conv.id, '¿tienen tazas?')) // the due-time alarm ran: now waiting
    h.deps.stores = () => ({ store: countingStore(h.store, counts), maintenance: h.store })
    h.store.advance(15_000)
    const shopifyBefore = shopify.calls.length
    const started = Date.now()
    expect(await runDurableObjectAlarm(h.agent(conv.id))).toBe(true) // the alarm invocation of the run
    wallMs.push(Date.now() - started)
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['Listo'])
    // The same round trip for an alarm with nothing to do: the test harness's share of the time.
    await runInDurableObject(h.agent(conv.id), (_o: ConversationAgent, state) =>
      state.storage.setAlarm(Date.now() + 60_000),
    )
    const idleStarted = Date.now()
    await runDurableObjectAlarm(h.agent(conv.id))
    idleMs.push(Date.now() - idleStarted)
    cost = {
      postgrest: [...counts.values()].reduce((a, b) => a + b, 0),
      model: h.openai.requests.length,
      shopify: shopify.calls.length - shopifyBefore,
    }
  }
  // The first run pays for JIT warm-up.
  const median = (xs: number[]) => xs.slice(1).sort((a, b) => a - b)[(xs.length - 1) >> 1] ?? 0
  return {
    ...cost,
    subrequests: cost.postgrest + cost.model + cost.shopify,
    medianWallMs: median(wallMs),
    medianIdleAlarmMs: median(idleMs),
  }
}

/** The measured numbers are this test's output: functions/README.md records them. */
function report(label: string, cost: unknown): void {
  // biome-ignore lint/suspicious/noConsole: a measurement's result, printed on purpose
  console.log(`ai-run-cost ${label}`, JSON.stringify(cost))
}

describe('cost of one AI run in the agent alarm (workerd)', () => {
  it('one model round: 9 PostgREST + 1 model request, under the Free plan subrequest cap', async () => {
    const cost = await measure(0)
    report('one round', cost)
    expect(cost).toMatchObject({ postgrest: 9, model: 1, shopify: 0, subrequests: 10 })
    expect(cost.subrequests).toBeLessThan(FREE_PLAN_SUBREQUESTS)
  })

  it('five model rounds with four Shopify queries: 18 subrequests', async () => {
    const cost = await measure(4)
    report('five rounds', cost)
    expect(cost).toMatchObject({ postgrest: 9, model: 5, shopify: 4, subrequests: 18 })
    expect(cost.subrequests).toBeLessThan(FREE_PLAN_SUBREQUESTS)
  })
})
