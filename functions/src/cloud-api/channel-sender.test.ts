import { createGraphApiDouble } from '@relevo/testing/graph-api-double'
import { describe, expect, it } from 'vitest'
import { graphApiFor } from '../adapters/graph-api.ts'
import { createLogger } from '../shared/logger.ts'
import { doubleChannel, memoryOutbox } from '../testing/memory-outbox.ts'
import { drain } from './channel-sender.ts'

function setup(count: number, messagesPerSecond = 1000) {
  const graph = createGraphApiDouble()
  const channel = doubleChannel(graph, messagesPerSecond)
  const outbox = memoryOutbox(channel, count)
  const deps = {
    cloudStore: outbox.store,
    fileLink: async (path: string) => `https://files.test/${path}`,
    graphFor: graphApiFor({ baseUrl: 'http://graph.double', version: 'v26.0', fetch: graph.fetch }),
    logger: createLogger('silent'),
    now: Date.now,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  }
  return { graph, outbox, deps }
}

describe('drain', () => {
  it('sends a row Meta throttled once it is claimed again in the same drain, and only once', async () => {
    // 2/s: claims of two rows, so the throttled first row is back in the queue for the second claim.
    const { graph, outbox, deps } = setup(4, 2)
    graph.failNext(130429)
    const report = await drain('ch', deps)
    expect(report).toMatchObject({ sent: 4, retried: 1, failed: 0 })
    expect(outbox.left()).toBe(0)
    expect(graph.sent.map((m) => m.text).sort()).toEqual(['only 0', 'only 1', 'only 2', 'only 3'])
  })

  it('does not send a row again that a claim returns while it is in flight', async () => {
    const { graph, deps } = setup(2)
    // The second claim hands back the first batch, as one whose lease ran out under a slow mark_sent.
    const claim = deps.cloudStore.claim
    let calls = 0
    let first: Awaited<ReturnType<typeof claim>> = []
    deps.cloudStore = {
      ...deps.cloudStore,
      claim: async (...args) => {
        calls += 1
        if (calls === 2) return first
        const rows = await claim(...args)
        if (calls === 1) first = rows
        return rows
      },
    }
    const report = await drain('ch', deps)
    expect(report.sent).toBe(2)
    expect(graph.sent.map((m) => m.text).sort()).toEqual(['only 0', 'only 1'])
  })
})
