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

/** mulberry32: a seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generator(seed: number) {
  const next = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const text = () =>
    pick([
      '',
      'hola',
      'x'.repeat(70_000),
      '5215512345678',
      '\u0000\ud800',
      '<script>',
      '__proto__',
      '💥'.repeat(50),
    ])
  const value = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 2 ? 5 : 7))
    if (kind === 0) return text()
    if (kind === 1) return pick([0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 3.5])
    if (kind === 2) return pick([true, false, null])
    if (kind === 3) return pick(['delivered', 'read', 'ready', '5215512345678@c.us'])
    if (kind === 4) return pick([{}, []])
    if (kind === 5) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1))
    const keys = [
      'from',
      'to',
      'body',
      'name',
      'id',
      'waMessageId',
      'status',
      'count',
      'retryable',
      'constructor',
    ]
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 5) }, () => [pick(keys), value(depth + 1)]),
    )
  }
  const body = (): string => {
    const shape = Math.floor(next() * 5)
    if (shape === 0)
      return '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'
    if (shape === 1) return pick(['{', '{"from":', 'null', '[]', '"str"', '\u0000', '{"a":1}}'])
    return JSON.stringify(value(0))
  }
  const contentType = () =>
    pick([
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      '',
    ])
  return { body, contentType, next }
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
      const gen = generator(index + 1)
      for (let i = 0; i < PER_ROUTE; i++) {
        const headers: Record<string, string> = {}
        const type = gen.contentType()
        if (type) headers['content-type'] = type
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
