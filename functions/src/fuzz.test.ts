import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { harness, signedHeaders } from './testing/harness.ts'

// Hostile input on the Worker's public routes: 1,000 generated requests per route (broken JSON,
// wrong types, huge strings, prototype keys, wrong content types, junk credentials), delivered
// with the right webhook secret so the body parser is reached. None may answer 5xx.
const PER_ROUTE = 1_000

/** xorshift32, seeded, so a failing request can be replayed from its seed and index. */
function xorshift(seed: number): () => number {
  let x = seed || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

function hostileBodies(seed: number) {
  const rnd = xorshift(seed)
  const one = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T
  const scalar = () =>
    one<unknown>([
      '',
      'INSERT',
      'messages',
      'public',
      'in',
      'x'.repeat(100_000),
      -1,
      Number.MAX_VALUE,
      null,
      true,
      '\u0000',
    ])
  const uuidish = () => one(['00000000-0000-4000-8000-000000000001', 'not-a-uuid', '', 42])
  const record = () =>
    one<unknown>([
      null,
      [],
      { id: uuidish(), conversation_id: uuidish(), direction: one(['in', 'out', 7]) },
      { __proto__: { direction: 'in' } },
      scalar(),
    ])
  return (): string => {
    const shape = rnd()
    if (shape < 0.15) return one(['{', '[', 'null', '"x"', '{"type":}', '\ud800', '{"a":1}}'])
    if (shape < 0.25) return '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'
    const body: Record<string, unknown> = {}
    for (const key of ['type', 'table', 'schema', 'record', 'old_record']) {
      if (rnd() < 0.8)
        body[key] = key.endsWith('record') ? record() : one([scalar(), 'INSERT', 'messages', 'public'])
    }
    return JSON.stringify(body)
  }
}

describe('Worker routes under hostile input', () => {
  it(`answers ${PER_ROUTE} generated requests per public route without a 5xx`, async () => {
    const h = harness()
    expect(h.store.messages).toEqual([])
    const routes = [
      ['POST', '/webhooks/db'],
      ['GET', '/health'],
      ['GET', '/metrics'],
      ['GET', '/api/status'],
      ['GET', '/api/shopify/orders/1001'],
    ] as const
    const statuses = new Map<number, number>()
    for (const [index, [method, path]] of routes.entries()) {
      const body = hostileBodies(index + 7)
      const rnd = xorshift(index + 99)
      for (let i = 0; i < PER_ROUTE; i++) {
        const payload = body()
        const headers: Record<string, string> = {
          ...(await signedHeaders(payload, rnd() < 0.9 ? undefined : 'wrong', h.store.now())),
          'content-type': rnd() < 0.8 ? 'application/json' : 'text/plain',
        }
        if (rnd() < 0.7) headers.authorization = `Bearer ${rnd() < 0.5 ? 'x.y.z' : 'junk'}`
        const init = method === 'POST' ? { method, headers, body: payload } : { method, headers }
        const ctx = createExecutionContext()
        const res = await h.app.request(path, init, h.env, ctx)
        await res.arrayBuffer()
        await waitOnExecutionContext(ctx)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status} to request ${i}`)
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // Nothing a forged or malformed webhook names exists, so nothing may have been written.
    expect(h.store.messages).toEqual([])
    expect(h.store.runs).toEqual([])
    process.stdout.write(
      `functions fuzz: ${routes.length * PER_ROUTE} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    )
  }, 120_000)
})
