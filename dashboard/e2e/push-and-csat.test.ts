import type { FunctionsProcess } from '@relevo/testing/functions-process'
import {
  type PushServiceDouble,
  startPushServiceDouble,
  vapidKeyPair,
} from '@relevo/testing/push-service-double'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pointAtFunctions, routeIncomingMessages, startRigFunctions } from './functions.ts'
import { ADMIN, ANA, type Credentials, useRig } from './harness.ts'

// Web Push (ADR 097) and CSAT (ADR 096) in real Chromium, with the real functions under wrangler dev.
// What is simulated, and why: Chromium's PushManager.subscribe needs Google's push service (FCM),
// which is unreachable here, so the page's subscribe() is replaced by one that returns a
// subscription made by the loopback push service double (its own P-256 key and auth secret). The
// service worker, the stored row, the toggle, the functions' encrypted push and the double's
// decryption are all real. The push event is then handed to the service worker by Chromium's
// DevTools (ServiceWorker.deliverPushMessage) with the payload the double decrypted; the click is a
// NotificationEvent dispatched in the service worker (no OS notification can be clicked headless).
const rig = useRig({ webhooks: true })
/** What the test uses of ServiceWorkerGlobalScope (the DOM type library has no worker types). */
interface WorkerScope {
  registration: ServiceWorkerRegistration
  dispatchEvent(event: Event): boolean
  NotificationEvent: new (type: string, init: { notification: Notification }) => Event
}
let functions: FunctionsProcess
let pushService: PushServiceDouble
const vapid = vapidKeyPair()

beforeAll(async () => {
  pushService = await startPushServiceDouble()
  functions = await startRigFunctions(rig, {
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: 'mailto:e2e@relevo.test',
    // The push service double listens on 127.0.0.1 (ADR 073 refuses it on a public deployment).
    RELEVO_ALLOW_PRIVATE_URLS: '1',
  })
  await routeIncomingMessages(rig, functions)
}, 240_000)

afterAll(async () => {
  await functions?.stop()
  await pushService?.close()
})

/** The desk of `user` on a fresh subscription of the double, with alerts with the desk closed turned on. */
async function deskWithAlertsOn(user: Credentials) {
  const subscription = pushService.subscribe()
  const page = await rig.newPage('en')
  await page.context().grantPermissions(['notifications'], { origin: rig.site.url })
  await pointAtFunctions(page, functions)
  await page.addInitScript((subscription) => {
    const w = window as unknown as { __serverKey?: string }
    PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
      w.__serverKey = String(options?.applicationServerKey)
      return { endpoint: subscription.endpoint, toJSON: () => subscription } as unknown as PushSubscription
    }
  }, subscription)
  await rig.signIn(page, user)
  await page.getByRole('button', { name: 'Get alerts with the desk closed' }).click()
  await page.getByRole('button', { name: 'Alerts with the desk closed: on' }).waitFor()
  return { page, subscription }
}

describe('push alerts with the desk closed', () => {
  it('the toggle stores this browser; with no desk open the functions push an encrypted alert; the service worker shows it and a click opens the chat', async () => {
    const { page, subscription } = await deskWithAlertsOn(ANA)
    expect(await page.evaluate(() => (window as unknown as { __serverKey: string }).__serverKey)).toBe(
      vapid.publicKey,
    )
    expect(
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL),
    ).toBe(`${rig.site.url}/sw.js`)
    const { rows } = await rig.db.query<{ email: string; p256dh: string; push_alerts: boolean }>(
      `select a.email, s.p256dh, a.push_alerts from public.push_subscriptions s
       join public.agents a on a.user_id = s.user_id where s.endpoint = $1`,
      [subscription.endpoint],
    )
    expect(rows).toEqual([{ email: ANA.email, p256dh: subscription.keys.p256dh, push_alerts: true }])

    // The desk is closed: no page left in the browser.
    const context = page.context()
    await page.close()
    expect(context.pages()).toHaveLength(0)
    // No AI is configured on these functions, so the AI hands the chat to a person: it needs one.
    const ask = await rig.customerWrites('5215577770000', 'Push Customer', 'Hola, ¿me ayudan?')
    await expect
      .poll(() => pushService.received.filter((r) => r.status === 201).length, { timeout: 60_000 })
      .toBe(1)
    const pushed = pushService.received.find((r) => r.status === 201)
    const payload = JSON.parse(pushed?.payload ?? '{}') as { title: string; body: string; url: string }
    expect(payload).toMatchObject({ title: 'Push Customer', url: `/inbox/${ask.conversationId}` })
    expect(payload.body).toMatch(/^Necesita una persona/) // the demo store speaks Spanish

    // The browser gets the push: Chromium's DevTools deliver it to the service worker.
    const desk = await context.newPage()
    await desk.goto(`${rig.site.url}/inbox`)
    await desk.getByRole('heading', { name: /conversations/i }).waitFor()
    // The worker is active (clients.claim) before DevTools hand it the push.
    await desk.evaluate(async () => Boolean(await navigator.serviceWorker.ready))
    const cdp = await context.newCDPSession(desk)
    const registration = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => {
        const found = event.registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(rig.site.url))
        if (found) resolve(found.registrationId)
      })
    })
    await cdp.send('ServiceWorker.enable')
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: rig.site.url,
      registrationId: await registration,
      data: pushed?.payload ?? '',
    })
    const shown = async () =>
      desk.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          url: (n.data as { url: string }).url,
        })),
      )
    await expect
      .poll(shown, { timeout: 30_000 })
      .toEqual([{ title: 'Push Customer', body: payload.body, url: `/inbox/${ask.conversationId}` }])

    const [worker] = context.serviceWorkers()
    await worker?.evaluate(async () => {
      const scope = self as unknown as WorkerScope
      const [notification] = await scope.registration.getNotifications()
      if (notification)
        scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }))
    })
    await desk.waitForURL(`**/inbox/${ask.conversationId}*`)
    await expect.poll(shown).toEqual([])
  })

  it('turned off, the agent gets no push; an agent still on does', async () => {
    const { page, subscription } = await deskWithAlertsOn(ADMIN)
    await page.getByRole('button', { name: 'Alerts with the desk closed: on' }).click()
    await page.getByRole('button', { name: 'Get alerts with the desk closed' }).waitFor()
    const { rows } = await rig.db.query<{ push_alerts: boolean }>(
      `select push_alerts from public.agents where email = $1`,
      [ADMIN.email],
    )
    expect(rows).toEqual([{ push_alerts: false }])
    await page.close()

    const before = pushService.received.length
    await rig.customerWrites('5215577771111', 'Second Customer', 'Hola')
    await expect
      .poll(() => pushService.received.slice(before).filter((r) => r.status === 201).length, {
        timeout: 60_000,
      })
      .toBe(1)
    const adminId = subscription.endpoint.split('/').at(-1)
    expect(pushService.received.filter((r) => r.subscription === adminId)).toEqual([])
  })
})

describe('CSAT', () => {
  it('the admin turns it on; a person closes a chat; "cinco" is the rating on Metrics, per agent', async () => {
    const page = await rig.pageAs(ADMIN, { path: '/settings' })
    const form = page.getByTestId('csat-form')
    await form.getByLabel('When a chat is closed, ask the customer for a 1–5 rating').check()
    await form.getByRole('button', { name: 'Save' }).click()
    await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor()

    const ask = await rig.customerWrites('5215588880000', 'Rating Customer', 'Gracias por todo')
    await page.goto(`${rig.site.url}/inbox/${ask.conversationId}`)
    await page.getByRole('button', { name: 'Take over' }).click()
    await page.getByRole('button', { name: 'Close', exact: true }).click()
    await page.getByTestId('message').filter({ hasText: '¿Cómo calificarías la atención' }).waitFor()
    await rig.customerWrites('5215588880000', 'Rating Customer', 'cinco')
    const { rows } = await rig.db.query<{ score: number; status: string }>(
      `select r.score, c.status from public.csat_responses r join public.conversations c on c.id = r.conversation_id
       where r.conversation_id = $1`,
      [ask.conversationId],
    )
    expect(rows).toEqual([{ score: 5, status: 'closed' }])

    await page.goto(`${rig.site.url}/metrics`)
    await page.getByTestId('csat-average').filter({ hasText: '5.0' }).waitFor()
    await expect(page.getByTestId('csat-agent').first().textContent()).resolves.toContain('Admin Demo')
    await expect(page.getByTestId('csat-day').count()).resolves.toBe(1)
  })
})
