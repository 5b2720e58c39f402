import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, useRig } from './harness.ts'

// Canned replies managed in the desk (issue 18, item 3): admins keep the shared ones, each agent
// their own; inserting one with "/" fills {{customer.name}}, {{customer.phone}} and {{agent.name}}
// and leaves an unknown variable visible.
const rig = useRig()
let admin: Page
let ana: Page

beforeAll(async () => {
  admin = await rig.pageAs(ADMIN)
  ana = await rig.pageAs(ANA)
})

const rows = (page: Page, section: 'canned-shared' | 'canned-mine') =>
  page.getByTestId(section).getByTestId('canned-row')

async function add(page: Page, section: 'canned-shared' | 'canned-mine', shortcut: string, body: string) {
  const form = page.getByTestId(section).locator('form.add')
  await form.getByLabel('Shortcut').fill(shortcut)
  await form.getByLabel('Text').fill(body)
  await form.getByRole('button', { name: 'Add' }).click()
  await rows(page, section)
    .and(page.locator(`[data-shortcut="${shortcut}"]`))
    .waitFor()
}

describe('canned replies', () => {
  it('an admin creates, edits and deletes shared replies', async () => {
    await admin.getByRole('link', { name: 'Replies' }).click()
    await admin.getByRole('heading', { name: 'Canned replies' }).waitFor()
    await rows(admin, 'canned-shared').and(admin.locator('[data-shortcut="envio"]')).waitFor()

    await add(admin, 'canned-shared', 'saludo', 'Hola {{customer.name}}')
    const saludo = rows(admin, 'canned-shared').and(admin.locator('[data-shortcut="saludo"]'))
    await saludo
      .getByLabel('Text: /saludo')
      .fill('Hola {{customer.name}}, soy {{agent.name}}. Tu pedido {{order.number}} sale hoy.')
    await saludo.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(async () => {
        const { rows: saved } = await rig.db.query<{ body: string; owner_id: string | null }>(
          `select body, owner_id from public.canned_replies where shortcut = 'saludo'`,
        )
        return saved
      })
      .toEqual([
        {
          body: 'Hola {{customer.name}}, soy {{agent.name}}. Tu pedido {{order.number}} sale hoy.',
          owner_id: null,
        },
      ])

    await add(admin, 'canned-shared', 'temporal', 'Borrar')
    admin.once('dialog', (dialog) => void dialog.accept())
    await rows(admin, 'canned-shared')
      .and(admin.locator('[data-shortcut="temporal"]'))
      .getByRole('button', { name: 'Delete' })
      .click()
    await rows(admin, 'canned-shared')
      .and(admin.locator('[data-shortcut="temporal"]'))
      .waitFor({ state: 'detached' })

    // The same shortcut twice among shared replies is refused with a sentence.
    await add(admin, 'canned-shared', 'dup', 'uno')
    const form = admin.getByTestId('canned-shared').locator('form.add')
    await form.getByLabel('Shortcut').fill('dup')
    await form.getByLabel('Text').fill('dos')
    await form.getByRole('button', { name: 'Add' }).click()
    await admin.getByRole('alert').filter({ hasText: 'That shortcut already exists here' }).waitFor()
  })

  it('an agent reads the shared replies, keeps their own, and colleagues never see them', async () => {
    await ana.goto(`${rig.site.url}/replies`)
    await rows(ana, 'canned-shared').and(ana.locator('[data-shortcut="saludo"]')).waitFor()
    // Shared replies are read-only for an agent: no fields, no add form.
    expect(await ana.getByTestId('canned-shared').locator('input, textarea').count()).toBe(0)
    await add(ana, 'canned-mine', 'firma', 'Saludos, {{agent.name}} · te escribimos al {{customer.phone}}')

    await admin.reload()
    await rows(admin, 'canned-shared').first().waitFor()
    expect(await admin.locator('[data-shortcut="firma"]').count()).toBe(0)
  })

  it('inserting a reply fills the customer and agent variables and leaves an unknown one visible', async () => {
    await rig.customerWrites('5215566660000', 'Rosa Medina', '¿Ya salió mi pedido?')
    await ana.goto(`${rig.site.url}/inbox`)
    await ana.getByTestId('conversation-row').filter({ hasText: 'Rosa Medina' }).click()
    const composer = ana.getByTestId('composer')
    await composer.fill('/sal')
    await ana.getByTestId('canned-menu').getByText('/saludo').waitFor()
    await composer.press('Enter')
    await expect(composer.inputValue()).resolves.toBe(
      'Hola Rosa Medina, soy Ana. Tu pedido {{order.number}} sale hoy.',
    )
    await composer.fill('/fir')
    await ana.getByTestId('canned-menu').getByText('/firma').click()
    await expect(composer.inputValue()).resolves.toBe('Saludos, Ana · te escribimos al 5215566660000')
  })
})
