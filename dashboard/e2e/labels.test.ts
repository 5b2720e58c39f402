import { waitFor } from '@relevo/testing/wait-for'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, TENANT, useRig } from './harness.ts'

// Labels (ADR 101) in real Chromium: the admin defines them, an agent labels a chat, every open
// desk sees it live, the inbox filters by label, and a deleted label leaves every chat.
const rig = useRig()
let admin: Page
let ana: Page
let wholesaleChat: string

beforeAll(async () => {
  wholesaleChat = (await rig.customerWrites('5215588800001', 'Tienda Mayoreo', 'Quiero 200 piezas'))
    .conversationId
  await rig.customerWrites('5215588800002', 'Cliente Normal', 'Hola')
  admin = await rig.pageAs(ADMIN)
  ana = await rig.pageAs(ANA)
})

const row = (page: Page, name: string) => page.getByTestId('conversation-row').filter({ hasText: name })

describe('labels', () => {
  it('the admin creates labels and lets the AI set them', async () => {
    await admin.getByRole('link', { name: /admin/i }).first().click()
    await admin.getByRole('link', { name: 'Labels' }).click()
    for (const name of ['Wholesale', 'Order problem']) {
      await admin.getByLabel('Name', { exact: true }).fill(name)
      await admin.getByRole('button', { name: 'Add label' }).click()
      await admin.getByTestId('label-row').filter({ hasText: name }).waitFor()
    }
    await admin.getByLabel(/The AI may put a label/).check()
    await waitFor(async () => {
      const tenant = await rig.db.query<{ ai_may_label: boolean }>(
        'select ai_may_label from public.tenants where id = $1',
        [TENANT],
      )
      return tenant.rows[0]?.ai_may_label
    }, 'ai_may_label saved')
  })

  it('an agent labels a chat; the other desk sees the chip live and filters by it', async () => {
    await ana.getByTestId('label-filter').waitFor()
    await row(ana, 'Tienda Mayoreo').click()
    await ana.locator('summary', { hasText: 'Labels' }).click()
    await ana.getByRole('checkbox', { name: 'Wholesale' }).check()
    await ana.getByTestId('chat-labels').getByText('Wholesale').waitFor()

    await admin.goto(`${rig.site.url}/inbox`)
    await row(admin, 'Tienda Mayoreo').getByTestId('label-chip').filter({ hasText: 'Wholesale' }).waitFor()
    const wholesaleId = await admin.evaluate(
      () =>
        [...document.querySelectorAll<HTMLOptionElement>('[data-testid=label-filter] option')].find(
          (o) => o.textContent === 'Wholesale',
        )?.value ?? '',
    )
    await admin.getByTestId('label-filter').selectOption(wholesaleId)
    await expect(admin.getByTestId('conversation-row').locator('.name').allTextContents()).resolves.toEqual([
      'Tienda Mayoreo',
    ])
    const stored = await rig.db.query<{ added_by: string }>(
      'select added_by from public.conversation_labels where conversation_id = $1',
      [wholesaleChat],
    )
    expect(stored.rows).toHaveLength(1)
  })

  it('taking the label off and deleting a label reach every open desk', async () => {
    await ana.getByRole('checkbox', { name: 'Wholesale' }).uncheck()
    await row(admin, 'Tienda Mayoreo').getByTestId('label-chip').waitFor({ state: 'detached' })
    await admin.getByTestId('label-filter').selectOption('')
    await admin.getByRole('link', { name: /admin/i }).first().click()
    await admin.getByRole('link', { name: 'Labels' }).click()
    await admin
      .getByTestId('label-row')
      .filter({ hasText: 'Order problem' })
      .getByRole('button', { name: 'Delete' })
      .click()
    await admin.getByTestId('label-row').filter({ hasText: 'Order problem' }).waitFor({ state: 'detached' })
    // Ana's label menu is still open from the step before.
    await ana.getByRole('checkbox', { name: 'Order problem' }).waitFor({ state: 'detached' })
    await expect(ana.getByRole('checkbox', { name: 'Wholesale' }).count()).resolves.toBe(1)
  })
})
