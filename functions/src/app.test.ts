import { createExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { runScheduled } from './app.ts'
import { harness } from './testing/harness.ts'

describe('app routes', () => {
  it('GET /health says what is configured, never the values', async () => {
    const h = harness({ env: { OPS_TOKEN: 'ops' } })
    const response = await h.app.request('/health', {}, h.env, createExecutionContext())
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body).toEqual({
      ok: true,
      service: 'relevo-functions',
      configured: { database: false, webhook_secret: true, ai: true, ops_token: true },
    })
    expect(JSON.stringify(body)).not.toContain('sk-test')
  })

  it('guards the monitoring API, metrics and the Shopify panel with a bearer token', async () => {
    const h = harness({ env: { OPS_TOKEN: 'ops' } })
    for (const path of [
      '/api/status',
      '/api/conversations',
      '/api/agents',
      '/api/whatsapp-hybrid?action=status',
      '/metrics',
      '/api/shopify/products?q=x',
      '/api/shopify/shop',
    ]) {
      const response = await h.app.request(path, {}, h.env, createExecutionContext())
      expect(response.status, path).toBe(401)
      expect(await response.json()).toMatchObject({ code: 'unauthorized' })
    }
    const garbage = await h.app.request(
      '/api/status',
      { headers: { authorization: 'Bearer not-a-jwt' } },
      h.env,
    )
    expect(garbage.status).toBe(401)
  })

  it('answers unknown routes with a JSON 404', async () => {
    const h = harness()
    const response = await h.app.request('/nope', {}, h.env)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 'not_found' })
  })

  it('rate-limits a flood on a public route with 429 and Retry-After', async () => {
    const h = harness()
    const statuses: number[] = []
    for (let i = 0; i < 125; i++) {
      const r = await h.app.request('/health', { headers: { 'cf-connecting-ip': '203.0.113.9' } }, h.env)
      statuses.push(r.status)
      if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(120)
    expect(statuses.at(-1)).toBe(429)
  })

  it("limits the coordinator's Test to 10 a minute per address, before anything calls out", async () => {
    const h = harness()
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const r = await h.app.request(
        '/api/ai/coordinator/test',
        { method: 'POST', headers: { 'cf-connecting-ip': '203.0.113.10' } },
        h.env,
      )
      statuses.push(r.status)
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses.slice(10)).toEqual([429, 429])
  })

  it('a config error answers 500 with its code and next step', async () => {
    const h = harness({ env: { SUPABASE_URL: 'not a url' } })
    const response = await h.app.request('/health', {}, h.env)
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({
      code: 'config_invalid',
      hint: expect.stringContaining('wrangler.toml'),
    })
  })
})

describe('scheduled sweeper', () => {
  it('wakes the agent of an ai-mode message whose webhook never came, which answers once', async () => {
    const h = harness({ script: [{ content: 'perdón la demora' }] })
    const conv = h.store.addConversation()
    h.store.receive(conv.id, '¿hola?')
    expect(await runScheduled(h.env, h.deps)).toMatchObject({ woken: 1, errors: [] })
    await h.settle(conv.id)
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['perdón la demora'])
    expect(await runScheduled(h.env, h.deps)).toMatchObject({ woken: 0 })
  })
})
