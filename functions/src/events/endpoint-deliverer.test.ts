import { runDurableObjectAlarm } from 'cloudflare:test'
import { env as workerEnv } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import type { Bindings } from '../config/config.ts'
import { provideAgentDeps } from '../durable-object.ts'
import { createLogger } from '../shared/logger.ts'
import { hmacHex } from '../shared/signature.ts'
import { databaseWebhookInit } from '../testing/message-webhook.ts'
import type { AppDeps } from '../wiring/services.ts'
import type { AttemptOutcome, ClaimedDelivery, DeliveryStore } from './delivery-store.ts'

// The real EndpointDeliverer Durable Object in workerd, woken through the route as the database
// webhook wakes it, over an in-memory delivery store (the SQL rules are tested in supabase/ and
// in the Node integration suite).

const SECRET = 'whsec_test'

class MemoryDeliveries implements DeliveryStore {
  readonly finished: { deliveryId: string; outcome: AttemptOutcome }[] = []
  private queue: ClaimedDelivery[]

  constructor(
    private readonly url: string,
    deliveries: ClaimedDelivery[],
  ) {
    this.queue = deliveries
  }
  async target(endpointId: string) {
    return { id: endpointId, url: this.url, active: true, secret: SECRET }
  }
  async claim() {
    const claimed = this.queue
    this.queue = []
    return claimed
  }
  async finish(deliveryId: string, _worker: string, outcome: AttemptOutcome) {
    this.finished.push({ deliveryId, outcome })
    return {
      recorded: true,
      status: outcome.statusCode === 200 ? ('delivered' as const) : ('pending' as const),
    }
  }
  async nextAttemptAt() {
    return null
  }
}

function delivery(n: number): ClaimedDelivery {
  const eventId = crypto.randomUUID()
  return {
    deliveryId: crypto.randomUUID(),
    eventId,
    eventType: 'message_received',
    conversationId: crypto.randomUUID(),
    attempts: 1,
    body: { id: eventId, type: 'message_received', data: { n } },
  }
}

async function wakeThroughRoute(deps: AppDeps, endpointId: string) {
  const env: Bindings = {
    ENDPOINT_DELIVERER: workerEnv.ENDPOINT_DELIVERER,
    SUPABASE_URL: 'http://127.0.0.1:54321',
    // The pipeline's Supabase client is built but never called here.
    SUPABASE_SERVICE_ROLE_KEY: 'unused-service-key',
    WEBHOOK_SECRET: 'test-webhook-secret',
    RELEVO_ALLOW_PRIVATE_URLS: '1',
    LOG_LEVEL: 'silent',
  }
  provideAgentDeps(deps, env)
  const response = await createApp(deps).request(
    '/webhooks/db',
    await databaseWebhookInit('test-webhook-secret', 'webhook_deliveries', { endpoint_id: endpointId }),
    env,
  )
  expect(response.status, await response.clone().text()).toBe(202)
  const namespace = workerEnv.ENDPOINT_DELIVERER
  expect(await runDurableObjectAlarm(namespace.get(namespace.idFromName(endpointId)))).toBe(true)
}

describe('EndpointDeliverer (Durable Object per webhook endpoint)', () => {
  it('is woken by the route; its alarm POSTs each claimed event signed and records the attempt', async () => {
    // Read inside the object's context: its I/O objects cannot be used from the test's.
    const sent: { headers: Headers; body: string }[] = []
    const store = new MemoryDeliveries('https://crm.example.com/hook', [delivery(1), delivery(2)])
    const deps: AppDeps = {
      logger: createLogger('silent'),
      deliveries: () => store,
      webhookFetch: async (input, init) => {
        const request = new Request(input, init)
        sent.push({ headers: request.headers, body: await request.text() })
        return new Response('ok')
      },
    }
    await wakeThroughRoute(deps, crypto.randomUUID())
    expect(sent).toHaveLength(2)
    expect(store.finished.map((f) => f.outcome.statusCode)).toEqual([200, 200])
    for (const { headers, body } of sent) {
      const eventId = headers.get('x-relevo-event-id')
      expect(JSON.parse(body)).toMatchObject({ id: eventId, type: 'message_received' })
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers.get('x-relevo-signature') ?? '') ?? []
      expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60)
      expect(v1).toBe(await hmacHex(SECRET, `${t}.${body}`))
    }
  })

  it("with the runtime's own fetch, an unreachable endpoint is a failed attempt carrying the network error", async () => {
    const store = new MemoryDeliveries('http://127.0.0.1:9/hook', [delivery(1)])
    await wakeThroughRoute({ logger: createLogger('silent'), deliveries: () => store }, crypto.randomUUID())
    const [attempt] = store.finished
    expect(attempt?.outcome.statusCode).toBeNull()
    expect(attempt?.outcome.error).toBeTruthy()
    expect(attempt?.outcome.error).not.toMatch(/illegal invocation/i)
  })
})
