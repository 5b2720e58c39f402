import { hostileInput } from '@relevo/supabase/hostile-input'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryStore } from '../store/memory-store.ts'
import { type Harness, startHarness } from '../testing/harness.ts'

// Hostile input on every route of the connector's port: 1,000 generated requests per route
// (wrong types, huge strings, broken JSON, wrong content types, prototype keys). None may answer
// 5xx, the port keeps answering, and nothing reaches the store that a valid request would not.
const PER_ROUTE = 1_000
const ROUTES = [
  'POST /simulator/messages',
  'POST /simulator/phone-messages',
  'POST /simulator/acks',
  'POST /simulator/revokes',
  'POST /simulator/edits',
  'POST /simulator/failures',
  'POST /simulator/session/scan',
  'GET /simulator/outbox',
  'GET /health',
  'GET /qr',
]

/** The connector's own field names and values among the hostile ones, so some requests get deep. */
const KEYS = ['from', 'to', 'body', 'name', 'id', 'waMessageId', 'status', 'count', 'retryable']
const WORDS = {
  texts: ['hola', '5215512345678', '<script>'],
  tokens: ['delivered', 'read', 'ready', '5215512345678@c.us'],
}

describe('connector port under hostile input', () => {
  let h: Harness
  const store = new MemoryStore()
  beforeAll(async () => {
    h = await startHarness(store)
  })
  afterAll(() => h.stop())

  it(`answers ${PER_ROUTE} generated requests per route without a 5xx, and keeps serving`, async () => {
    const statuses = new Map<number, number>()
    for (const [index, route] of ROUTES.entries()) {
      const [method = 'GET', path = '/'] = route.split(' ')
      const gen = hostileInput(index + 1, KEYS, WORDS)
      for (let i = 0; i < PER_ROUTE; i++) {
        const headers: Record<string, string> = {}
        // One request in five carries no content type at all.
        if (gen.next() >= 0.2) headers['content-type'] = gen.contentType()
        if (gen.next() < 0.2)
          headers.authorization = `Bearer ${gen
            .body()
            .replace(/[^\x20-\x7e]/g, '')
            .slice(0, 100)}`
        const init = method === 'GET' ? { method, headers } : { method, headers, body: gen.body() }
        const res = await h.app.request(path, init)
        await res.arrayBuffer()
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status >= 500)
          throw new Error(`${route} answered ${res.status} to request ${i} (seed ${index + 1})`)
      }
    }
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((await h.app.request('/health')).status).toBeLessThan(500)
    // Only valid customer messages may have been ingested: each stored body came from a valid request.
    expect(store.rows.every((r) => typeof r.body === 'string' && r.body.length <= 65_536)).toBe(true)
    const figures = JSON.stringify(Object.fromEntries(statuses))
    process.stdout.write(`connector fuzz: ${ROUTES.length * PER_ROUTE} requests, statuses ${figures}\n`)
  }, 120_000)
})
