import { createExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import type { Bindings } from '../config/config.ts'
import type { PushAlert, PushStore } from '../push/send-alert.ts'
import { generateVapidKeys } from '../push/web-push.ts'
import { createLogger } from '../shared/logger.ts'
import { signedHeaders, WEBHOOK_SECRET } from '../testing/harness.ts'

// The push routes inside workerd: the public key for the desk, and a push alert from the database
// webhook turned into one encrypted POST per browser (decrypted in integration/web-push.int.test.ts).

const CONVERSATION = '6f1c1f0e-6a2b-4c55-9f0e-2b8f8f6a9d10'
const SUBSCRIPTION = '9a3b1c2d-4e5f-4a6b-8c7d-0e1f2a3b4c5d'

/** What the push service answers, in order (then 201): a status and its `Retry-After`, or a network error. */
type Answer = { status: number; retryAfter?: string } | 'network error'

async function setup(env: Partial<Bindings>, answers: Answer[] = []) {
  const slept: number[] = []
  const pushed: { url: string; headers: Headers; bytes: number }[] = []
  const finished: [string, number][] = []
  const asked: PushAlert[] = []
  const store: PushStore = {
    async targets(alert) {
      asked.push(alert)
      return [
        {
          subscriptionId: SUBSCRIPTION,
          endpoint: 'https://push.example.net/send/abc',
          // A browser key and secret of the right sizes (any valid P-256 point will do).
          p256dh: (await generateVapidKeys()).publicKey,
          auth: 'BTBZMqHH6r4Tts7J_aSIgg',
          notification: { title: 'Rosa', body: 'Needs a person', url: `/inbox/${CONVERSATION}` },
        },
      ]
    },
    async finish(id, status) {
      finished.push([id, status])
    },
  }
  const pushFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    pushed.push({
      url: request.url,
      headers: request.headers,
      bytes: (await request.arrayBuffer()).byteLength,
    })
    const answer = answers.shift() ?? { status: 201 }
    if (answer === 'network error') throw new TypeError('fetch failed')
    const headers: Record<string, string> = answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}
    return new Response(null, { status: answer.status, headers })
  }) as typeof fetch
  const app = createApp({
    stores: () => ({ push: store }),
    pushFetch,
    logger: createLogger('silent'),
    sleep: async (ms) => {
      slept.push(ms)
    },
  })
  const fullEnv: Bindings = {
    // The other stores are built (never called) with the service client.
    SUPABASE_SERVICE_ROLE_KEY: 'unused',
    SUPABASE_URL: 'http://127.0.0.1:54321',
    WEBHOOK_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  }
  const post = async (record: unknown) => {
    const body = JSON.stringify({
      type: 'INSERT',
      table: 'push_alerts',
      schema: 'public',
      record,
      old_record: null,
    })
    return app.request(
      '/webhooks/db',
      { method: 'POST', headers: await signedHeaders(body), body },
      fullEnv,
      createExecutionContext(),
    )
  }
  const key = () => app.request('/api/push/key', {}, fullEnv, createExecutionContext())
  return { post, key, pushed, finished, asked, slept }
}

async function withKeys(answers: Answer[]) {
  const vapid = await generateVapidKeys()
  const env = { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey }
  // Public push services are on public addresses; DNS over HTTPS is not reachable here.
  return { ...(await setup({ ...env, RELEVO_ALLOW_PRIVATE_URLS: '1' }, answers)), vapid }
}
const ALERT = { conversation_id: CONVERSATION, kind: 'needs_person', message_id: null }

describe('push routes', () => {
  it('without VAPID keys: the key route says how to configure them, alerts are accepted and dropped', async () => {
    const s = await setup({})
    const key = await s.key()
    expect(key.status).toBe(404)
    expect(await key.json()).toMatchObject({
      code: 'push_not_configured',
      hint: expect.stringContaining('VAPID'),
    })
    const response = await s.post({ conversation_id: CONVERSATION, kind: 'needs_person', message_id: null })
    expect(await response.json()).toEqual({ accepted: false, reason: 'push_not_configured' })
    expect(s.pushed).toEqual([])
  })

  it('with keys: GET /api/push/key gives the public key; an alert is one aes128gcm POST per browser', async () => {
    const s = await withKeys([])
    expect(await (await s.key()).json()).toEqual({ publicKey: s.vapid.publicKey })
    const response = await s.post({ conversation_id: CONVERSATION, kind: 'needs_person', message_id: null })
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ accepted: true, sent: 1, failed: 0 })
    expect(s.asked).toEqual([{ conversation_id: CONVERSATION, kind: 'needs_person', message_id: null }])
    expect(s.pushed).toHaveLength(1)
    expect(s.pushed[0]?.url).toBe('https://push.example.net/send/abc')
    expect(s.pushed[0]?.headers.get('content-encoding')).toBe('aes128gcm')
    expect(s.pushed[0]?.headers.get('authorization')).toMatch(
      new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${s.vapid.publicKey}$`),
    )
    // Header (86 bytes) + the JSON + delimiter + 16-byte tag.
    expect(s.pushed[0]?.bytes).toBeGreaterThan(86 + 16)
    expect(s.finished).toEqual([[SUBSCRIPTION, 201]])
  })

  it('refuses an alert record of the wrong shape with 400', async () => {
    const s = await setup({})
    const response = await s.post({ conversation_id: CONVERSATION, kind: 'gossip', message_id: null })
    expect(response.status).toBe(400)
  })
})

describe('push retries (429, 5xx, network errors only)', () => {
  it('waits as Retry-After asks (seconds or an HTTP-date), then delivers the same body', async () => {
    const later = new Date(Date.now() + 1_500).toUTCString()
    const s = await withKeys([
      { status: 429, retryAfter: '1' },
      { status: 503, retryAfter: later },
    ])
    expect(await (await s.post(ALERT)).json()).toEqual({ accepted: true, sent: 1, failed: 0 })
    expect(s.pushed).toHaveLength(3)
    expect(new Set(s.pushed.map((p) => p.bytes)).size).toBe(1)
    expect(s.slept[0]).toBe(1_000)
    // An HTTP-date is rounded to whole seconds: between 0.5 s and 1.5 s from now.
    expect(s.slept[1]).toBeGreaterThan(400)
    expect(s.slept[1]).toBeLessThanOrEqual(1_500)
    expect(s.finished).toEqual([[SUBSCRIPTION, 201]])
  })

  it('retries a network error with a short backoff', async () => {
    const s = await withKeys(['network error'])
    expect(await (await s.post(ALERT)).json()).toEqual({ accepted: true, sent: 1, failed: 0 })
    expect(s.pushed).toHaveLength(2)
    expect(s.slept).toHaveLength(1)
    expect(s.slept[0]).toBeLessThanOrEqual(250)
  })

  it('gives up after two retries and records the last answer', async () => {
    const s = await withKeys([{ status: 503 }, { status: 502 }, { status: 500 }, { status: 201 }])
    expect(await (await s.post(ALERT)).json()).toEqual({ accepted: true, sent: 0, failed: 1 })
    expect(s.pushed).toHaveLength(3)
    expect(s.finished).toEqual([[SUBSCRIPTION, 500]])
  })

  it('does not wait longer than 2 s: a longer Retry-After ends the tries at once', async () => {
    const s = await withKeys([{ status: 429, retryAfter: '120' }])
    expect(await (await s.post(ALERT)).json()).toEqual({ accepted: true, sent: 0, failed: 1 })
    expect(s.pushed).toHaveLength(1)
    expect(s.slept).toEqual([])
    expect(s.finished).toEqual([[SUBSCRIPTION, 429]])
  })

  it.each([400, 403, 410, 413])('never retries a %i', async (status) => {
    const s = await withKeys([{ status }])
    await s.post(ALERT)
    expect(s.pushed).toHaveLength(1)
    expect(s.slept).toEqual([])
    expect(s.finished).toEqual([[SUBSCRIPTION, status]])
  })
})
