import { createExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { harness, signedHeaders } from '../testing/harness.ts'

describe('POST /webhooks/db', () => {
  it('refuses a forged webhook with 401 and does nothing', async () => {
    const h = harness()
    const msg = h.store.receive(h.store.addConversation().id, 'hola')
    const response = await h.webhook(msg, 'wrong-secret')
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ code: 'invalid_webhook_signature' })
    expect(h.openai.requests).toHaveLength(0)
    expect(h.store.runs).toHaveLength(0)
    expect(h.store.outbox()).toHaveLength(0)
  })

  it('refuses a request without a signature, and a replay of a signed body after five minutes', async () => {
    const h = harness()
    const response = await h.app.request(
      '/webhooks/db',
      { method: 'POST', body: '{}' },
      h.env,
      createExecutionContext(),
    )
    expect(response.status).toBe(401)
    const stale = await h.app.request(
      '/webhooks/db',
      { method: 'POST', headers: await signedHeaders('{}', undefined, h.store.now() - 301_000), body: '{}' },
      h.env,
      createExecutionContext(),
    )
    expect(stale.status).toBe(401)
    const tampered = await h.app.request(
      '/webhooks/db',
      { method: 'POST', headers: await signedHeaders('{}', undefined, h.store.now()), body: '{ }' },
      h.env,
      createExecutionContext(),
    )
    expect(tampered.status).toBe(401)
  })

  it('answers 400 to a body that is not JSON or not a database webhook', async () => {
    const h = harness()
    const post = async (body: string) =>
      h.app.request(
        '/webhooks/db',
        { method: 'POST', headers: await signedHeaders(body, undefined, h.store.now()), body },
        h.env,
        createExecutionContext(),
      )
    const notJson = await post('{oops')
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ code: 'invalid_json' })
    const wrongShape = await post(
      JSON.stringify({ type: 'INSERT', table: 'messages', schema: 'public', record: { id: 'x' } }),
    )
    expect(wrongShape.status).toBe(400)
    const body = (await wrongShape.json()) as { code: string; message: string }
    expect(body.code).toBe('invalid_webhook')
    expect(body.message).toContain('record.id')
  })

  it('accepts with 202 and enqueues one AI reply in the background', async () => {
    const h = harness({ script: [{ content: '¡Hola Ana! ¿Qué buscas hoy?' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    const response = await h.webhook(msg)
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ accepted: true, message_id: msg.id })
    const [reply] = h.store.outbox(conv.id)
    expect(reply).toMatchObject({ author: 'ai', body: '¡Hola Ana! ¿Qué buscas hoy?', inReplyTo: msg.id })
    expect(h.store.runs).toHaveLength(1)
    expect(h.store.runs[0]).toMatchObject({ outcome: 'replied', provider: 'openai', model: 'gpt-4o-mini' })
    expect(h.store.runs[0]?.promptTokens).toBeGreaterThan(0)
  })

  it('ignores outgoing messages (202, no run)', async () => {
    const h = harness()
    const conv = h.store.addConversation()
    const response = await h.webhook({ id: crypto.randomUUID(), conversationId: conv.id, direction: 'out' })
    expect(response.status).toBe(202)
    expect(await response.json()).toMatchObject({ accepted: false })
    expect(h.openai.requests).toHaveLength(0)
  })

  it('gives one reply to the same webhook delivered twice at once, and calls the model once', async () => {
    const h = harness({ script: [{ content: 'Una sola respuesta' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    const [a, b] = await Promise.all([h.webhook(msg), h.webhook(msg)])
    expect([a.status, b.status]).toEqual([202, 202])
    expect(h.store.outbox(conv.id)).toHaveLength(1)
    expect(h.openai.requests).toHaveLength(1)
    expect(h.store.runs.map((r) => r.outcome)).toEqual(['replied'])
  })

  it('gives one reply when the duplicate arrives after the first run finished', async () => {
    const h = harness({ script: [{ content: 'Primera' }, { content: 'Segunda' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    await h.webhook(msg)
    await h.webhook(msg)
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['Primera'])
    expect(h.openai.requests).toHaveLength(1)
  })
})

describe('webhook rate limit', () => {
  it('throttles a forger but never the database', async () => {
    const h = harness()
    const post = async (secret?: string) =>
      h.app.request(
        '/webhooks/db',
        {
          method: 'POST',
          headers: {
            ...(await signedHeaders('{', secret, h.store.now())),
            'cf-connecting-ip': '198.51.100.7',
          },
          body: '{',
        },
        h.env,
        createExecutionContext(),
      )
    const guesses: number[] = []
    for (let i = 0; i < 32; i++) guesses.push((await post(`guess-${i}`)).status)
    expect(guesses.slice(0, 30).every((s) => s === 401)).toBe(true)
    expect(guesses.slice(30)).toEqual([429, 429])
    // The database's signature still gets through from the same address (400: the body is not JSON).
    expect((await post()).status).toBe(400)
  })
})
