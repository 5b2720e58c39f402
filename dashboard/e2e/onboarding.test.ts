import { type ConnectorProcess, spawnConnector } from '@relevo/testing/connector-process'
import { simulatorPhone } from '@relevo/testing/simulator-phone'
import { waitFor } from '@relevo/testing/wait-for'
import { afterAll, describe, expect, it } from 'vitest'
import { ADMIN, TENANT, useRig } from './harness.ts'

// A new store's first hour (ADR 110), in Chromium against the seeded stand-in: a person signs up,
// creates the business, lands on the checklist; the connector of the new store's number comes up
// and a customer's message reaches the new store's inbox, not the demo store's.
const rig = useRig()
let connector: ConnectorProcess | undefined
const OWNER = { email: 'rosa@tienda-rosa.test', name: 'Rosa Pérez', password: 'rosa-password-1' }
const CUSTOMER = { phone: '5215598765432', name: 'Cliente de Rosa' }

afterAll(async () => {
  await connector?.stop()
})

describe('self-service sign-up', () => {
  it('signs up, creates the business, shows the checklist, and the first customer reaches this store only', async () => {
    const page = await rig.newPage('en')
    await page.goto(`${rig.site.url}/sign-in`)
    await page.getByTestId('sign-up-link').click()
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    await page.getByLabel('Email').fill(OWNER.email)
    await page.getByLabel('Your name').fill(OWNER.name)
    await page.getByLabel(/^Password/).fill(OWNER.password)
    await page.getByRole('button', { name: 'Create account' }).click()

    await page.getByRole('heading', { name: 'Create your business' }).waitFor()
    await page.getByLabel('Business name').fill('Tienda Rosa')
    await page.getByLabel('Language of the AI and the team').selectOption('en')
    await page.getByLabel('Time zone').selectOption('America/Bogota')
    await page.getByRole('button', { name: 'Create business' }).click()

    await page.getByRole('heading', { name: "Your store's first steps" }).waitFor()
    const steps = page.getByTestId('setup-step')
    await steps.and(page.locator('[data-step="test"]')).waitFor()
    expect(await steps.evaluateAll((els) => els.map((el) => [el.dataset.step, el.dataset.done]))).toEqual([
      ['whatsapp', 'false'],
      ['ai', 'false'],
      ['shopify', 'false'],
      ['team', 'false'],
      ['test', 'false'],
    ])

    const { rows } = await rig.db.query<{
      tenant_id: string
      role: string
      display_name: string
      channel_id: string
    }>(
      `select a.tenant_id, a.role, a.display_name, c.id as channel_id
       from public.agents a join public.channels c using (tenant_id) where a.email = $1`,
      [OWNER.email],
    )
    const created = rows[0]
    expect(created).toMatchObject({ role: 'admin', display_name: OWNER.name })
    expect(created?.tenant_id).not.toBe(TENANT)
    const tenant = await rig.db.query('select name, language, timezone from public.tenants where id = $1', [
      created?.tenant_id,
    ])
    expect(tenant.rows).toEqual([{ name: 'Tienda Rosa', language: 'en', timezone: 'America/Bogota' }])
    // The open desk says it is open (the monitoring API's online agents).
    await waitFor(
      async () =>
        (
          await rig.db.query('select 1 from public.agents where email = $1 and last_seen_at is not null', [
            OWNER.email,
          ])
        ).rows.length === 1,
      'the new admin last_seen_at',
    )

    // The store's number: its connector (the simulator links at once) → the step turns done live.
    connector = await spawnConnector({
      supabaseUrl: rig.standIn.url,
      auth: { serviceRoleKey: rig.standIn.keys.serviceRoleKey },
      env: { CHANNEL_ID: created?.channel_id ?? '', OUTBOX_POLL_MS: '500', HEARTBEAT_MS: '2000' },
    })
    await steps.and(page.locator('[data-step="whatsapp"][data-done="true"]')).waitFor({ timeout: 60_000 })

    await simulatorPhone(connector.url).customerWrites(CUSTOMER.phone, CUSTOMER.name, 'Hola, ¿tienen envíos?')
    await steps.and(page.locator('[data-step="test"][data-done="true"]')).waitFor({ timeout: 60_000 })
    await page.getByRole('link', { name: 'Inbox' }).first().click()
    await page.getByRole('heading', { name: 'Conversations' }).waitFor()
    await page.getByText(CUSTOMER.name).first().waitFor()

    const conversations = await rig.db.query<{ tenant_id: string }>(
      'select tenant_id from public.conversations where customer_phone like $1',
      [`%${CUSTOMER.phone.slice(-8)}%`],
    )
    expect(conversations.rows).toEqual([{ tenant_id: created?.tenant_id }])

    // The demo store's admin does not see it.
    const demo = await rig.pageAs(ADMIN)
    await expect(demo.getByText(CUSTOMER.name).count()).resolves.toBe(0)
    // Sign-up, the build of the business, a connector process and two desks: generous under load.
  }, 240_000)

  it('a second sign-in of the new owner goes straight to the desk, and sign-up is refused when invite-only', async () => {
    const _page = await rig.pageAs(OWNER)
    await rig.db.query(`update private.deployment_settings set signup = 'invite-only'`)
    try {
      const other = await rig.newPage('en')
      await other.goto(`${rig.site.url}/sign-up`)
      await other.getByTestId('invite-only').waitFor()
      await expect(other.getByRole('button', { name: 'Create account' }).count()).resolves.toBe(0)
    } finally {
      await rig.db.query(`update private.deployment_settings set signup = 'open'`)
    }
  })
})
