import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, useRig } from './harness.ts'
import { createOtherTenant, OTHER } from './other-tenant.ts'

const rig = useRig()

beforeAll(async () => {
  await createOtherTenant(rig.db)
})

describe('tenant isolation in the desk', () => {
  it('an agent of another tenant sees none of Demo Store: not in the list, not live, not by link', async () => {
    const bob = await rig.pageAs(OTHER)
    const admin = await rig.pageAs(ADMIN)
    const { conversationId } = await rig.customerWrites(
      '5215599999999',
      'Secret Customer',
      'private question',
    )
    // The Demo Store admin sees it live: proof the event was broadcast while Bob was listening too.
    await admin.getByTestId('conversation-row').filter({ hasText: 'Secret Customer' }).waitFor()
    await bob.getByText('No conversations here.').waitFor()
    await expect(bob.getByTestId('conversation-row').count()).resolves.toBe(0)

    await bob.goto(`${rig.site.url}/inbox/${conversationId}`)
    await bob.getByRole('alert').filter({ hasText: 'This conversation no longer exists.' }).waitFor()
    await expect(bob.getByText('private question').count()).resolves.toBe(0)
    // Bob is alone online in his tenant: Demo Store's presence is not shared with him.
    await expect(bob.getByTestId('online-count').textContent()).resolves.toBe('1')
  })

  it('shows a wrong password as an error and stays on sign-in', async () => {
    const page = await rig.newPage('es')
    await page.goto(`${rig.site.url}/inbox`)
    await page.getByLabel('Correo').fill(ADMIN.email)
    await page.getByLabel('Contraseña').fill('wrong-password')
    await page.getByRole('button', { name: 'Entrar' }).click()
    await page.getByRole('alert').filter({ hasText: 'Correo o contraseña incorrectos.' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sign-in')
  })
})
