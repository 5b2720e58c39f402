import { MAPPING_PRESETS } from '@relevo/supabase/coordinator-mapping'
import { describe, expect, it } from 'vitest'
import type { AiContext } from '../pipeline/provider.ts'
import { signBody } from '../shared/signature.ts'
import { harness } from '../testing/harness.ts'
import { createHttpProvider } from './http-provider.ts'

const context: AiContext = {
  tenant: { id: 't1', name: 'Demo Store', language: 'es', systemPrompt: 'x' },
  conversation: { id: 'c1', channelId: 'ch1' },
  customer: { name: 'Ana', phone: '5215512345678' },
  messages: [{ id: 'm1', author: 'customer', body: 'hola', createdAt: '2026-11-25T12:00:00Z' }],
  triggerMessageId: 'm1',
  storeFacts: [],
}

/** Public DNS as DNS over HTTPS (JSON API) answers it: every name here is public unless listed. */
function dnsAnswer(url: URL, records: Record<string, string>): Response {
  const name = url.searchParams.get('name') ?? ''
  const type = url.searchParams.get('type') === 'AAAA' ? 28 : 1
  const address = records[name] ?? '93.184.215.14'
  const matches = (type === 28) === address.includes(':')
  const body = { Status: 0, Answer: matches ? [{ name: `${name}.`, type, TTL: 60, data: address }] : [] }
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/dns-json' } })
}

/** A tenant's coordinator: answers from a list, recording what it received (DNS lookups apart). */
function coordinator(answers: (Response | (() => Response))[], dns: Record<string, string> = {}) {
  const received: { url: string; headers: Headers; body: unknown }[] = []
  let i = 0
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    if (url.hostname === 'cloudflare-dns.com') return dnsAnswer(url, dns)
    received.push({ url: request.url, headers: request.headers, body: await request.json() })
    const next = answers[Math.min(i++, answers.length - 1)]
    return typeof next === 'function' ? next() : (next as Response).clone()
  }
  return { fetch, received }
}

const options = {
  url: 'https://coord.example/ai',
  secret: 's3cret',
  headerSecret: null,
  mapping: MAPPING_PRESETS.relevo_v1,
  allowPrivate: false,
  timeoutMs: 1000,
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status })

describe('http provider', () => {
  it('POSTs the documented JSON signed with the tenant secret (never the secret itself) and accepts {reply}', async () => {
    const server = coordinator([json({ reply: 'Hola desde el coordinador' })])
    const provider = createHttpProvider({ ...options, fetch: server.fetch })
    const result = await provider.generate(context)
    expect(result.decision).toEqual({ kind: 'reply', text: 'Hola desde el coordinador' })
    const headers = server.received[0]?.headers
    expect(headers?.has('x-relevo-secret')).toBe(false)
    const timestamp = Number(headers?.get('x-relevo-timestamp'))
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5)
    const raw = JSON.stringify(server.received[0]?.body)
    expect(headers?.get('x-relevo-signature')).toBe(await signBody('s3cret', timestamp, raw))
    expect(headers?.get('x-relevo-signature')).toMatch(/^v1=[0-9a-f]{64}$/)
    expect(server.received[0]?.body).toEqual({
      version: 1,
      tenant: { id: 't1', name: 'Demo Store', language: 'es' },
      conversation: { id: 'c1', channel_id: 'ch1' },
      customer: { name: 'Ana', phone: '5215512345678' },
      trigger_message_id: 'm1',
      messages: [{ id: 'm1', author: 'customer', body: 'hola', created_at: '2026-11-25T12:00:00Z' }],
    })
  })

  it('accepts {handoff: true, reason}', async () => {
    const server = coordinator([json({ handoff: true, reason: 'VIP customer' })])
    const provider = createHttpProvider({ ...options, fetch: server.fetch })
    expect((await provider.generate(context)).decision).toEqual({
      kind: 'handoff',
      reason: 'http: VIP customer',
    })
  })

  it('retries 503 with backoff and then succeeds', async () => {
    const waits: number[] = []
    const server = coordinator([json({}, 503), json({}, 503), json({ reply: 'por fin' })])
    const provider = createHttpProvider({
      ...options,
      fetch: server.fetch,
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    expect((await provider.generate(context)).decision).toEqual({ kind: 'reply', text: 'por fin' })
    expect(server.received).toHaveLength(3)
    expect(waits).toHaveLength(2)
  })

  it('does not retry a 400 and fails with its status', async () => {
    const server = coordinator([json({ error: 'bad' }, 400)])
    const provider = createHttpProvider({ ...options, fetch: server.fetch })
    await expect(provider.generate(context)).rejects.toMatchObject({ code: 'provider_http_400' })
    expect(server.received).toHaveLength(1)
  })

  it('times out a coordinator that never answers', async () => {
    const hanging: typeof fetch = async (input, init) => {
      const request = new Request(input, init)
      if (new URL(request.url).hostname === 'cloudflare-dns.com') return dnsAnswer(new URL(request.url), {})
      return new Promise((_, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason))
      })
    }
    const provider = createHttpProvider({ ...options, timeoutMs: 50, retries: 0, fetch: hanging })
    await expect(provider.generate(context)).rejects.toMatchObject({ code: 'provider_timeout' })
  })

  it('fails on an answer that is neither {reply} nor {handoff}', async () => {
    const server = coordinator([json({ text: 'wrong field' })])
    const provider = createHttpProvider({ ...options, fetch: server.fetch })
    await expect(provider.generate(context)).rejects.toMatchObject({ code: 'provider_bad_answer' })
  })

  it("serves a tenant on provider http end to end, with the tenant's secret", async () => {
    const server = coordinator([json({ reply: 'respuesta del coordinador' })])
    const h = harness({
      tenant: { aiProvider: 'http', aiHttpUrl: 'https://coord.example/ai' },
      secrets: { aiHttpSecret: 'tenant-secret' },
      outbound: server.fetch,
      env: { OPENAI_API_KEY: '' },
    })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'replied' })
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['respuesta del coordinador'])
    const headers = server.received[0]?.headers
    const timestamp = Number(headers?.get('x-relevo-timestamp'))
    const raw = JSON.stringify(server.received[0]?.body)
    expect(headers?.get('x-relevo-signature')).toBe(await signBody('tenant-secret', timestamp, raw))
    expect(h.store.runs[0]).toMatchObject({ provider: 'http', model: null })
  })

  it('hands off when the coordinator stays down after its retries', async () => {
    const server = coordinator([json({}, 502)])
    const h = harness({
      tenant: { aiProvider: 'http', aiHttpUrl: 'https://coord.example/ai' },
      secrets: { aiHttpSecret: 'tenant-secret' },
      outbound: server.fetch,
    })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({
      outcome: 'failed',
      reason: 'provider_failed: provider_http_502',
    })
    expect(h.store.conversations.get(conv.id)?.mode).toBe('human')
  })

  it('treats a tenant without its own coordinator secret as not configured (no deployment secret is sent)', async () => {
    const server = coordinator([json({ reply: 'no' })])
    const h = harness({
      tenant: { aiProvider: 'http', aiHttpUrl: 'https://coord.example/ai' },
      outbound: server.fetch,
      env: { OPENAI_API_KEY: '' },
    })
    const msg = h.store.receive(h.store.addConversation().id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'handoff', reason: 'ai_not_configured' })
    expect(server.received).toEqual([])
  })
})

describe('http provider URL checks (ADR 073)', () => {
  const call = (url: string, server: ReturnType<typeof coordinator>, allowPrivate = false) =>
    createHttpProvider({ ...options, url, allowPrivate, retries: 0, fetch: server.fetch }).generate(context)

  it.each([
    'http://127.0.0.1:8080/ai',
    'http://[::1]/ai',
    'http://[::ffff:7f00:1]/ai',
    'http://2130706433/ai',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.5/ai',
    'http://metadata.google.internal/ai',
    'http://localhost/ai',
  ])('refuses the literal %s without calling it', async (url) => {
    const server = coordinator([json({ reply: 'leaked' })])
    await expect(call(url, server)).rejects.toMatchObject({ code: 'provider_url_refused' })
    expect(server.received).toEqual([])
  })

  it('refuses a public-looking name that resolves to a private or metadata address', async () => {
    for (const address of ['10.0.0.5', '169.254.169.254', 'fd00::1']) {
      const server = coordinator([json({ reply: 'leaked' })], { 'coord.example': address })
      await expect(call('https://coord.example/ai', server)).rejects.toMatchObject({
        code: 'provider_url_refused',
        message: expect.stringContaining('resolves to'),
      })
      expect(server.received).toEqual([])
    }
  })

  it('checks every redirect: a 307 to the metadata address is never followed', async () => {
    const redirect = () =>
      new Response(null, { status: 307, headers: { location: 'http://169.254.169.254/x' } })
    const server = coordinator([redirect])
    await expect(call('https://coord.example/ai', server)).rejects.toMatchObject({
      code: 'provider_url_refused',
    })
    expect(server.received.map((r) => r.url)).toEqual(['https://coord.example/ai'])
    const hop = () => new Response(null, { status: 308, headers: { location: 'https://next.example/ai' } })
    const twice = coordinator([hop, json({ reply: 'después del salto' })])
    expect((await call('https://coord.example/ai', twice)).decision).toEqual({
      kind: 'reply',
      text: 'después del salto',
    })
    expect(twice.received.map((r) => r.url)).toEqual(['https://coord.example/ai', 'https://next.example/ai'])
  })

  it('calls a loopback coordinator only when the deployment allows private URLs', async () => {
    const server = coordinator([json({ reply: 'local' })])
    expect((await call('http://127.0.0.1:8080/ai', server, true)).decision).toEqual({
      kind: 'reply',
      text: 'local',
    })
  })
})
