import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, CHANNEL, TENANT, useRig } from './harness.ts'

// Search over the whole history (search_messages, ADR 100) in real Chromium: the hit deep in a long
// thread is listed with its highlighted words, and opens the thread at that message.
const rig = useRig()
let admin: Page
let hitId: string
let conversationId: string

beforeAll(async () => {
  const first = await rig.customerWrites('5215577700001', 'Marta Búsqueda', 'Hola, soy Marta')
  conversationId = first.conversationId
  // 120 older and newer messages around the one searched for, so the hit is far from the newest page.
  const { rows } = await rig.db.query<{ id: string }>(
    `with filler as (
       insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, status, body, created_at)
       select $1, $2, $3, 'in', 'customer', 'received', 'mensaje de relleno ' || i,
         now() - interval '1 day' + i * interval '1 minute'
       from generate_series(1, 120) i where i <> 20
       returning id)
     insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, status, body, created_at)
     values ($1, $2, $3, 'in', 'customer', 'received', 'Los zapatos rojos que pedí nunca llegaron',
       now() - interval '1 day' + 20 * interval '1 minute')
     returning id`,
    [TENANT, CHANNEL, conversationId],
  )
  hitId = rows[0]?.id ?? ''
  admin = await rig.pageAs(ADMIN)
})

describe('search over the whole history', () => {
  it('lists the hit with its words highlighted, opens the thread at it, then jumps to the latest', async () => {
    await admin.getByRole('searchbox').fill('zapato rojo')
    const hit = admin.getByTestId('search-hit')
    await hit.first().waitFor()
    await expect(hit.count()).resolves.toBe(1)
    await expect(hit.getAttribute('data-message-id')).resolves.toBe(hitId)
    await expect(hit.locator('mark').allTextContents()).resolves.toEqual(['zapatos', 'rojos'])
    await expect(hit.textContent()).resolves.toContain('Marta Búsqueda')

    await hit.click()
    await admin.waitForURL(`**/inbox/${conversationId}?message=${hitId}`)
    // The thread's row (the hit in the list carries the same id) is marked current once its window is shown.
    await admin.locator(`[data-testid="message"][data-message-id="${hitId}"][aria-current="true"]`).waitFor()
    // In view: the thread scrolled to the hit, not to the bottom.
    await admin.waitForFunction((id) => {
      const el = document.querySelector(`[data-message-id="${id}"]`)
      const box = el?.getBoundingClientRect()
      return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight
    }, hitId)
    await expect(admin.getByTestId('message').filter({ hasText: 'Hola, soy Marta' }).count()).resolves.toBe(0)

    await admin.getByRole('button', { name: 'Jump to latest' }).click()
    await admin.getByTestId('message').filter({ hasText: 'Hola, soy Marta' }).waitFor()
    await expect(admin.getByRole('button', { name: 'Jump to latest' }).count()).resolves.toBe(0)
  })

  it('finds nothing for words no message has', async () => {
    await admin.getByRole('searchbox').fill('bicicleta')
    await admin.getByText('No conversations here.').waitFor()
    await expect(admin.getByTestId('search-hit').count()).resolves.toBe(0)
  })
})
