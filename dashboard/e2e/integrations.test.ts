import { describe, expect, it } from 'vitest'
import { ADMIN, TENANT, useRig } from './harness.ts'

// Admin → Integrations follows deliveries live (admins' topic, ADR 091), resends one and sends a
// test event; an endpoint paused by a day of failures rings for admins and stays in the header,
// linking to the screen, until an admin activates it. The functions' deliverer is played here
// with its own service-role calls (claim, then record the attempt), as it makes them.
const rig = useRig()
let endpointId: string

/** One attempt of the deliverer on the endpoint's head delivery: claimed, then recorded. */
async function deliverOnce(statusCode: number, latencyMs: number): Promise<void> {
  const claimed = await rig.service.rpc('claim_webhook_deliveries', {
    p_endpoint_id: endpointId,
    p_worker: 'e2e',
  })
  const [head] = (claimed.data ?? []) as { delivery_id: string }[]
  if (claimed.error || !head) throw new Error(`nothing to claim: ${claimed.error?.message ?? 'empty'}`)
  const finished = await rig.service.rpc('finish_webhook_attempt', {
    p_delivery_id: head.delivery_id,
    p_worker: 'e2e',
    p_latency_ms: latencyMs,
    p_status_code: statusCode,
  })
  if (finished.error) throw new Error(`finish_webhook_attempt: ${finished.error.message}`)
}

describe('Admin → Integrations', () => {
  it('shows a delivery as it is created, retried and delivered, without a reload; resends it and sends a test event', async () => {
    const page = await rig.pageAs(ADMIN, { path: '/integrations' })
    await page.getByLabel('URL').fill('https://crm.example.com/relevo')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByTestId('webhook-secret').waitFor()
    const endpoint = page.getByTestId('webhook-endpoint')
    await endpoint.waitFor()
    endpointId = (
      await rig.db.query<{ id: string }>('select id from public.webhook_endpoints where tenant_id = $1', [
        TENANT,
      ])
    ).rows[0]?.id as string

    await rig.customerWrites('5215544440000', 'Hook Customer', 'Hola')
    const row = endpoint.getByTestId('webhook-delivery').filter({ hasText: 'message_received' })
    await row.and(page.locator('[data-status="pending"]')).waitFor()

    await deliverOnce(503, 120)
    // Failed once: pending again, one attempt, the receiver's code, a next retry in a few seconds.
    await row.filter({ hasText: '503' }).filter({ hasText: '120 ms' }).waitFor()
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('1')
    await expect(row.locator('td').nth(5).textContent()).resolves.not.toBe('—')

    await rig.db.query(
      `update public.webhook_deliveries set next_attempt_at = now() where endpoint_id = $1`,
      [endpointId],
    )
    await deliverOnce(200, 35)
    await row.and(page.locator('[data-status="delivered"]')).filter({ hasText: '35 ms' }).waitFor()
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('2')

    await row.getByRole('button', { name: 'Resend' }).click()
    await row.and(page.locator('[data-status="pending"]')).waitFor()
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('0')
    await deliverOnce(200, 20)
    await row.and(page.locator('[data-status="delivered"]')).filter({ hasText: '20 ms' }).waitFor()

    await page.getByRole('button', { name: 'Send test event' }).click()
    await endpoint
      .getByTestId('webhook-delivery')
      .filter({ hasText: 'webhook_test' })
      .and(page.locator('[data-status="pending"]'))
      .waitFor()
    await deliverOnce(204, 10)
    await endpoint
      .getByTestId('webhook-delivery')
      .filter({ hasText: 'webhook_test' })
      .and(page.locator('[data-status="delivered"]'))
      .waitFor()
    await page.context().close()
  })

  it('an endpoint paused after a day of failures alerts the admin in the header, linking to Integrations', async () => {
    const page = await rig.newPage('en')
    await page.context().grantPermissions(['notifications'], { origin: rig.site.url })
    await page.addInitScript(() => {
      const w = window as unknown as { __notes: { body: string; tag: string }[] }
      w.__notes = []
      window.Notification = new Proxy(window.Notification, {
        construct(target, args: [string, NotificationOptions?]) {
          w.__notes.push({ body: args[1]?.body ?? '', tag: args[1]?.tag ?? '' })
          return Reflect.construct(target, args)
        },
      })
    })
    await rig.signIn(page, ADMIN)
    await page.getByRole('button', { name: 'Turn on alerts' }).click()
    await page.getByRole('button', { name: 'Alerts on' }).waitFor()
    expect(await page.getByTestId('endpoint-alert').count()).toBe(0)

    await rig.customerWrites('5215544440000', 'Hook Customer', '¿Siguen ahí?')
    await rig.db.query(
      `update public.webhook_endpoints set failing_since = now() - interval '25 hours' where id = $1`,
      [endpointId],
    )
    await deliverOnce(500, 10_000)

    const alert = page.getByTestId('endpoint-alert')
    await alert.filter({ hasText: '1 webhook(s) paused by failures' }).waitFor()
    await page.waitForFunction(() =>
      (window as unknown as { __notes: { body: string; tag: string }[] }).__notes.some(
        (n) =>
          n.body === 'Webhook paused after a day of failures: https://crm.example.com/relevo' &&
          n.tag === '/integrations',
      ),
    )

    // An admin who signs in later still sees it.
    const later = await rig.pageAs(ADMIN)
    await later.getByTestId('endpoint-alert').waitFor()

    await alert.click()
    await page.waitForURL(/\/integrations$/)
    const endpoint = page.getByTestId('webhook-endpoint')
    await endpoint.getByText('Paused after a day of failed deliveries').waitFor()
    await endpoint.getByRole('button', { name: 'Activate' }).click()
    await endpoint.and(page.locator('[data-active="true"]')).waitFor()
    await page.getByTestId('endpoint-alert').waitFor({ state: 'detached' })
    await later.getByTestId('endpoint-alert').waitFor({ state: 'detached' })
  })
})
