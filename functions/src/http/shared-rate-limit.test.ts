import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import type { Bindings } from '../config/config.ts'

// Cloudflare's rate-limiting binding from wrangler.toml (300 per 60 s): the count is shared, so a
// client that spreads its requests over two isolates (two app instances, each with its own
// in-memory brake) is still stopped at the binding's limit.
const LIMIT = 300
const PERIOD_MS = 60_000

/**
 * The binding counts in windows aligned to the wall clock (a new count every whole minute), so a
 * burst that straddles a minute boundary would be split over two counts: start early in a window.
 */
async function atStartOfWindow(): Promise<void> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS)
  if (left < 30_000) await new Promise((resolve) => setTimeout(resolve, left + 100))
}

describe('rate limits shared across isolates', () => {
  it('answers 429 with Retry-After once the requests of one address over all isolates pass the limit', {
    timeout: 90_000,
  }, async () => {
    const bindings = env as unknown as Bindings
    expect(bindings.RATE_LIMITER).toBeDefined()
    const vars: Bindings = { ...bindings, SUPABASE_URL: 'http://127.0.0.1:54321', LOG_LEVEL: 'silent' }
    const isolates = [createApp(), createApp()]
    const request = (i: number, ip: string) =>
      isolates[i % 2]?.request('/metrics', { headers: { 'cf-connecting-ip': ip } }, vars)
    await atStartOfWindow()
    const statuses: number[] = []
    for (let i = 0; i < LIMIT + 20; i++) statuses.push((await request(i, '203.0.113.7'))?.status ?? 0)
    expect(statuses.slice(0, LIMIT).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true)
    const refused = await request(0, '203.0.113.7')
    expect(refused?.headers.get('retry-after')).toBe('60')
    expect(await refused?.json()).toMatchObject({ code: 'rate_limited' })
    // Another address, or another route group, has its own count.
    expect((await request(0, '203.0.113.8'))?.status).toBe(401)
    expect(
      (await isolates[0]?.request('/api/status', { headers: { 'cf-connecting-ip': '203.0.113.7' } }, vars))
        ?.status,
    ).toBe(401)
  })
})
