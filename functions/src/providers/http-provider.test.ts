import { describe, expect, it } from 'vitest'
import type { AiContext } from '../pipeline/provider.ts'
import { harness } from '../testing/harness.ts'
import { createHttpProvider, httpProviderBody } from './http-provider.ts'

const context: AiContext = {
  tenant: { id: 't1', name: 'Demo Store', language: 'es', systemPrompt: 'x' },
  conversation: { id: 'c1', channelId: 'ch1' },
  customer: { name: 'Ana', phone: '5215512345678' },
  messages: [{ id: 'm1', author: 'customer', body: 'hola', createdAt: '2026-11-25T12:00:00Z' }],
  triggerMessageId: 'm1',
  storeFacts: [],
}

/** A tenant's coordinator: answers from a list, recording what it received. */
function coordinator(answers: (Response | (() => Response))[]) {
  const received: { headers: Headers; body: unknown }[] = []
  let i = 0
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    received.push({ headers: request.headers, body: await request.json() })
    const next = answers[Math.min(i++, answers.length - 1)]
    return typeof next === 'function' ? next() : (next as Response).clone()
  }
  return { fetch, received }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status })

describe('http provider', () => {
  it('POSTs the documented JSON with the shared secret and accepts {reply}', async () => {
    const server = coordinator([json({ reply: 'Hola desde el coordinador' })])
    const provider = createHttpProvider({
      url: 'https://coord.example/ai',
      secret: 's3cret',
      timeoutMs: 1000,
      fetch: server.fetch,
    })
    const result = await provider.generate(context)
    expect(result.decision).toEqual({ kind: 'reply', text: 'Hola desde el coordinador' })
    expect(server.received[0]?.headers.get('x-relevo-secret')).toBe('s3cret')
    expect(server.received[0]?.body).toEqual({
      version: 1,
      tenant: { id: 't1', name: 'Demo Store', language: 'es' },
      conversation: { id: 'c1', channel_id: 'ch1' },
      customer: { name: 'Ana', phone: '5215512345678' },
      trigger_message_id: 'm1',
      messages: [{ id: 'm1', author: 'customer', body: 'hola', created_at: '2026-11-25T12:00:00Z' }],
    })
    expect(server.received[0]?.body).toEqual(httpProviderBody(context))
  })

  it('accepts {handoff: true, reason}', async () => {
    const server = coordinator([json({ handoff: true, reason: 'VIP customer' })])
    const provider = createHttpProvider({
      url: 'https://coord.example/ai',
      secret: null,
      timeoutMs: 1000,
      fetch: server.fetch,
    })
    expect((await provider.generate(context)).decision).toEqual({
      kind: 'handoff',
      reason: 'http: VIP customer',
    })
    expect(server.received[0]?.headers.has('x-relevo-secret')).toBe(false)
  })

  it('retries 503 with backoff and then succeeds', async () => {
    const waits: number[] = []
    const server = coordinator([json({}, 503), json({}, 503), json({ reply: 'por fin' })])
    const provider = createHttpProvider({
      url: 'https://coord.example/ai',
      secret: null,
      timeoutMs: 1000,
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
    const provider = createHttpProvider({
      url: 'https://coord.example/ai',
      secret: null,
      timeoutMs: 1000,
      fetch: server.fetch,
    })
    await expect(provider.generate(context)).rejects.toMatchObject({ code: 'provider_http_400' })
    expect(server.received).toHaveLength(1)
  })

  it('times out a coordinator that never answers', async () => {
    const hanging: typeof fetch = (input, init) =>
      new Promise((_, reject) => {
        const signal = new Request(input, init).signal
        signal.addEventListener('abort', () => reject(signal.reason))
      })
    const provider = createHttpProvider({
      url: 'https://coord.example/ai',
      secret: null,
      timeoutMs: 50,
      retries: 0,
      fetch: hanging,
    })
    await expect(provider.generate(context)).rejects.toMatchObject({ code: 'provider_timeout' })
  })

  it('fails on an answer that is neither {reply} nor {handoff}', async () => {
    const server = coordinator([json({ text: 'wrong field' })])
    const provider = createHttpProvider({
      url: 'https://coord.example/ai',
      secret: null,
      timeoutMs: 1000,
      fetch: server.fetch,
    })
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
    expect(server.received[0]?.headers.get('x-relevo-secret')).toBe('tenant-secret')
    expect(h.store.runs[0]).toMatchObject({ provider: 'http', model: null })
  })

  it('hands off when the coordinator stays down after its retries', async () => {
    const server = coordinator([json({}, 502)])
    const h = harness({
      tenant: { aiProvider: 'http', aiHttpUrl: 'https://coord.example/ai' },
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
})
