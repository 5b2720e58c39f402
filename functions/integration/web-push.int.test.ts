import { createECDH } from 'node:crypto'
import {
  decryptAes128gcm,
  type PushServiceDouble,
  startPushServiceDouble,
} from '@relevo/testing/push-service-double'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateVapidKeys } from '../src/push/web-push.ts'
import { agentRpc } from './agent-rpc.ts'
import { type Backend, startBackend, TENANT_ID } from './backend.ts'

// Web Push (ADR 097): the database webhook → the functions → a push service double on loopback,
// which checks the VAPID JWT and decrypts the payload with the subscriber's private key using
// node:crypto (the functions encrypt with WebCrypto: two independent implementations).

let backend: Backend | undefined
let pushService: PushServiceDouble | undefined
afterEach(async () => {
  await backend?.close()
  await pushService?.close()
  backend = undefined
  pushService = undefined
})

let vapid: { publicKey: string; privateKey: string }
beforeAll(async () => {
  vapid = await generateVapidKeys()
})

async function start() {
  pushService = await startPushServiceDouble()
  backend = await startBackend({
    env: {
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:ops@demo.example',
      // The double listens on 127.0.0.1, which ADR 073 refuses unless the deployment is private.
      RELEVO_ALLOW_PRIVATE_URLS: '1',
    },
    // The stand-in's webhook queue is delivered in-process; so is the push (Node fetch to loopback).
    script: [{ content: 'hola' }],
  })
  await backend.db.query(`update public.tenants set language = 'en' where id = $1`, [TENANT_ID])
  return { b: backend, push: pushService }
}

async function subscribeAgent(b: Backend, push: PushServiceDouble, email: string) {
  const token = await b.signIn(email)
  const subscription = push.subscribe()
  await agentRpc(b, token, 'save_push_subscription', {
    p_endpoint: subscription.endpoint,
    p_p256dh: subscription.keys.p256dh,
    p_auth: subscription.keys.auth,
    p_user_agent: 'integration test',
  })
  return { token, subscription }
}

describe('the push service double', () => {
  it('decrypts the RFC 8291 Appendix A message with the user agent private key', () => {
    const ecdh = createECDH('prime256v1')
    ecdh.setPrivateKey(Buffer.from('q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94', 'base64url'))
    const body = Buffer.from(
      'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
      'base64url',
    )
    const plaintext = decryptAes128gcm(body, {
      ecdh,
      auth: Buffer.from('BTBZMqHH6r4Tts7J_aSIgg', 'base64url'),
    })
    expect(plaintext).toBe('When I grow up, I want to be a watermelon')
  })
})

describe('push alerts, functions to a loopback push service', () => {
  it('a chat that needs a person is pushed to every agent who is on, encrypted and VAPID-signed', async () => {
    const { b, push } = await start()
    const ana = await subscribeAgent(b, push, 'ana@demo.relevo.test')
    const admin = await subscribeAgent(b, push, 'admin@demo.relevo.test')
    await agentRpc(b, admin.token, 'set_push_alerts', { p_on: false })

    const ask = await b.ingest('quiero hablar con una persona', { name: 'Rosa' })
    await b.settle()
    const delivered = push.received.filter((r) => r.status === 201)
    expect(push.received.map((r) => r.problem)).toEqual([null])
    expect(delivered.map((r) => r.subscription)).toEqual([ana.subscription.endpoint.split('/').at(-1)])
    expect(JSON.parse(delivered[0]?.payload ?? '{}')).toEqual({
      title: 'Rosa',
      body: expect.stringMatching(/^Needs a person/),
      url: `/inbox/${ask.conversationId}`,
      tag: `relevo-${ask.conversationId}-needs_person`,
      kind: 'needs_person',
    })
    expect(delivered[0]?.headers).toEqual({ ttl: '3600', urgency: 'high' })
    expect(delivered[0]?.claims).toMatchObject({
      aud: new URL(push.url).origin,
      sub: 'mailto:ops@demo.example',
    })
    const { rows } = await b.db.query<{ last_sent: boolean }>(
      'select last_sent_at is not null as last_sent from public.push_subscriptions where endpoint = $1',
      [ana.subscription.endpoint],
    )
    expect(rows).toEqual([{ last_sent: true }])
  })

  it("a customer's message in an agent's chat goes to that agent; a gone subscription (410) is deleted", async () => {
    const { b, push } = await start()
    const ana = await subscribeAgent(b, push, 'ana@demo.relevo.test')
    const first = await b.ingest('hola', { phone: '5215599990000', name: 'Luis' })
    await b.settle()
    await agentRpc(b, ana.token, 'takeover', { p_conversation_id: first.conversationId })
    await b.ingest('¿sigue disponible la taza azul?', { phone: '5215599990000', name: 'Luis' })
    await b.settle()
    const payloads = push.received.filter((r) => r.status === 201).map((r) => JSON.parse(r.payload ?? '{}'))
    expect(payloads).toEqual([
      expect.objectContaining({
        title: 'Luis',
        body: '¿sigue disponible la taza azul?',
        kind: 'customer_message',
      }),
    ])

    push.expire(ana.subscription.endpoint)
    await b.ingest('¿hola?', { phone: '5215599990000', name: 'Luis' })
    await b.settle()
    expect(push.received.at(-1)?.status).toBe(410)
    const { rows } = await b.db.query('select 1 from public.push_subscriptions where endpoint = $1', [
      ana.subscription.endpoint,
    ])
    expect(rows).toEqual([])
  })
})

describe('a busy push service (429, 5xx): bounded retries within the alert', () => {
  const subscriptionRow = async (b: Backend, endpoint: string) =>
    (
      await b.db.query<{ failures: number; last_sent: boolean }>(
        `select failures, last_sent_at is not null as last_sent from public.push_subscriptions
          where endpoint = $1`,
        [endpoint],
      )
    ).rows

  it('a 429 with Retry-After is waited out and retried: the alert is decrypted exactly once', async () => {
    const { b, push } = await start()
    const ana = await subscribeAgent(b, push, 'ana@demo.relevo.test')
    push.answerNext(ana.subscription.endpoint, [{ status: 429, retryAfter: '1' }])
    const started = Date.now()
    await b.ingest('quiero hablar con una persona', { name: 'Rosa' })
    await b.settle()
    expect(push.received.map((r) => r.status)).toEqual([429, 201])
    expect(push.received.filter((r) => r.payload !== null)).toHaveLength(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    expect(await subscriptionRow(b, ana.subscription.endpoint)).toEqual([{ failures: 0, last_sent: true }])
  })

  it('gives up after three attempts at a 503 and keeps the subscription', async () => {
    const { b, push } = await start()
    const ana = await subscribeAgent(b, push, 'ana@demo.relevo.test')
    push.answerNext(ana.subscription.endpoint, [{ status: 503 }, { status: 503 }, { status: 503 }])
    await b.ingest('quiero hablar con una persona', { name: 'Rosa' })
    await b.settle()
    expect(push.received.map((r) => r.status)).toEqual([503, 503, 503])
    expect(await subscriptionRow(b, ana.subscription.endpoint)).toEqual([{ failures: 1, last_sent: false }])
  })

  it('never retries a 400 or a 413', async () => {
    const { b, push } = await start()
    const ana = await subscribeAgent(b, push, 'ana@demo.relevo.test')
    push.answerNext(ana.subscription.endpoint, [{ status: 400 }])
    await b.ingest('quiero hablar con una persona', { phone: '5215500000400', name: 'Rosa' })
    await b.settle()
    push.answerNext(ana.subscription.endpoint, [{ status: 413 }])
    await b.ingest('quiero hablar con una persona', { phone: '5215500000413', name: 'Iván' })
    await b.settle()
    expect(push.received.map((r) => r.status)).toEqual([400, 413])
    expect(await subscriptionRow(b, ana.subscription.endpoint)).toEqual([{ failures: 2, last_sent: false }])
  })
})
