import { type ConnectorProcess, spawnConnector } from '@relevo/testing/connector-process'
import { simulatorPhone } from '@relevo/testing/simulator-phone'
import { afterAll, describe, expect, it } from 'vitest'
import { ADMIN, useRig } from './harness.ts'
import { shoot } from './shoot.ts'

// Issue 17's first hour with a number of its own (ADR 113), in Chromium against the seeded
// stand-in: sign up → create the business → the checklist → add a number → the admin runs the
// command the screen shows (here: the real connector process, on the simulator instead of
// WhatsApp Web) → its QR appears → the phone scans → ready → a customer's message reaches this
// store's inbox, named by its number, and not the demo store's; the reply goes out on that number.
const rig = useRig()
let connector: ConnectorProcess | undefined
const OWNER = { email: 'lina@tienda-lina.test', name: 'Lina Ortiz', password: 'lina-password-1' }
const CUSTOMER = { phone: '5215511122233', name: 'Cliente de Lina' }

afterAll(async () => {
  await connector?.stop()
})

/** The `-e KEY=VALUE` pairs of the docker run command, as the admin would copy them. */
function envOf(command: string): Record<string, string> {
  return Object.fromEntries([...command.matchAll(/-e ([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]))
}

async function simulatorScans(url: string): Promise<void> {
  const res = await fetch(`${url}/simulator/session/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  if (!res.ok) throw new Error(`simulator scan failed: ${res.status} ${await res.text()}`)
}

describe('a new store adds its number', () => {
  it('sign-up → checklist → add a number → QR → ready → the first customer reaches this store only', async () => {
    const page = await rig.newPage('en')
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto(`${rig.site.url}/sign-up`)
    await page.getByLabel('Email').fill(OWNER.email)
    await page.getByLabel('Your name').fill(OWNER.name)
    await page.getByLabel(/^Password/).fill(OWNER.password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByLabel('Business name').fill('Tienda Lina')
    await page.getByRole('button', { name: 'Create business' }).click()
    await page.getByRole('heading', { name: "Your store's first steps" }).waitFor()
    const whatsappStep = page.locator('[data-testid="setup-step"][data-step="whatsapp"]')
    await whatsappStep.and(page.locator('[data-done="false"]')).waitFor()

    // The checklist's step leads to the Connection screen; the admin adds the number "Ventas".
    await whatsappStep.getByRole('link').click()
    await page.getByRole('heading', { name: 'WhatsApp numbers' }).waitFor()
    await page.getByText('Add a WhatsApp Web number').click()
    await page.getByLabel('Name of the number').fill('Ventas')
    await page.getByRole('button', { name: 'Add number' }).click()
    const card = page
      .getByTestId('channel')
      .filter({ has: page.getByRole('heading', { name: 'Ventas', exact: true }) })
    await card.getByTestId('docker-run').scrollIntoViewIfNeeded()
    await shoot(page, 'number-setup-en')
    const command = await card.getByTestId('docker-run').textContent()
    const env = envOf(command ?? '')
    const { rows } = await rig.db.query<{ id: string; tenant_id: string }>(
      `select c.id, c.tenant_id from public.channels c join public.agents a using (tenant_id)
       where a.email = $1 and c.name = 'Ventas'`,
      [OWNER.email],
    )
    const ventas = rows[0]
    expect(env).toEqual({
      SUPABASE_URL: rig.standIn.url,
      SUPABASE_ANON_KEY: rig.standIn.keys.anonKey,
      CONNECTOR_KEY: expect.stringMatching(/^[0-9a-f-]{36}\.[0-9a-f]{48}$/),
      CHANNEL_ID: ventas?.id,
      WHATSAPP_TRANSPORT: 'whatsapp-web',
    })
    // The compose snippet carries the same variables.
    const compose = await card.getByTestId('compose').textContent({ timeout: 5_000 })
    for (const [key, value] of Object.entries(env)) expect(compose).toContain(`${key}: "${value}"`)

    // The admin runs the container: the connector with exactly these variables, on the simulator
    // (an unlinked phone) instead of WhatsApp Web.
    connector = await spawnConnector({
      supabaseUrl: env.SUPABASE_URL ?? '',
      auth: { connectorKey: env.CONNECTOR_KEY ?? '', anonKey: env.SUPABASE_ANON_KEY ?? '' },
      env: {
        CHANNEL_ID: env.CHANNEL_ID ?? '',
        SIMULATOR_LINKED: 'false',
        OUTBOX_POLL_MS: '500',
        HEARTBEAT_MS: '2000',
      },
    })
    await card.getByTestId('qr').and(page.locator('[data-qr^="2@"]')).waitFor({ timeout: 60_000 })
    await simulatorScans(connector.url)
    await card.and(page.locator('[data-status="ready"]')).waitFor({ timeout: 60_000 })
    await expect(card.getByTestId('qr').count()).resolves.toBe(0)
    // The checklist's WhatsApp step is done now.
    await page.getByRole('link', { name: 'First steps' }).click()
    await whatsappStep.and(page.locator('[data-done="true"]')).waitFor()
    await page.getByRole('link', { name: 'Connection' }).first().click()

    // The number create_tenant made is renamed, then removed: it leaves the screen.
    const first = page
      .getByTestId('channel')
      .filter({ has: page.getByRole('heading', { name: 'WhatsApp', exact: true }) })
    await first.getByRole('button', { name: 'Rename' }).click()
    await first.getByTestId('number-name').fill('Old phone')
    await first.getByRole('button', { name: 'Save' }).click()
    const renamed = page
      .getByTestId('channel')
      .filter({ has: page.getByRole('heading', { name: 'Old phone', exact: true }) })
    await renamed.getByRole('button', { name: 'Remove' }).click()
    await renamed.waitFor({ state: 'detached' })

    // The first customer writes to Ventas: this store's inbox shows the chat and its number.
    const phone = simulatorPhone(connector.url)
    await phone.customerWrites(CUSTOMER.phone, CUSTOMER.name, 'Hola, ¿tienen envíos?')
    await page.getByRole('link', { name: 'Inbox' }).first().click()
    const row = page.getByTestId('conversation-row').filter({ hasText: CUSTOMER.name })
    await row.waitFor({ timeout: 30_000 })
    await expect(row.getByTestId('conversation-number').textContent()).resolves.toBe('Ventas')
    await page.getByTestId('number-filter').selectOption({ label: 'Old phone (removed)' })
    await row.waitFor({ state: 'detached' })
    await page.getByTestId('number-filter').selectOption({ label: 'Ventas' })
    await row.waitFor()

    const chats = await rig.db.query<{ tenant_id: string; channel_id: string }>(
      'select tenant_id, channel_id from public.conversations where customer_phone like $1',
      [`%${CUSTOMER.phone.slice(-8)}%`],
    )
    expect(chats.rows).toEqual([{ tenant_id: ventas?.tenant_id, channel_id: ventas?.id }])

    // The reply goes out on the chat's number: this connector's phone receives it.
    await row.click()
    await page.getByRole('button', { name: 'Take over' }).click()
    await page.getByTestId('composer').fill('Sí, a todo el país')
    await page.getByTestId('composer').press('Enter')
    expect(await phone.waitForReceived(CUSTOMER.phone, 1)).toEqual(['Sí, a todo el país'])

    // The demo store's admin does not see the chat.
    const demo = await rig.pageAs(ADMIN)
    await expect(demo.getByText(CUSTOMER.name).count()).resolves.toBe(0)
    // Sign-up, a connector process, a QR cycle and two desks: generous under load.
  }, 240_000)
})
