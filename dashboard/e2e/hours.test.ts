import { waitFor } from '@relevo/testing/wait-for'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, TENANT, useRig } from './harness.ts'

// Business hours and the queue (ADR 094/095) in real Chromium: the admin sets the week, a
// holiday, the texts and assignment; a customer writing after hours with the AI off gets the
// away text, waits in the agents' Queue tab, and leaves it when the sweeper assigns the chat.
const rig = useRig()
let admin: Page
let ana: Page

beforeAll(async () => {
  admin = await rig.pageAs(ADMIN)
  ana = await rig.pageAs(ANA)
})

/** The weekday three days ahead in the tenant's zone: a span there leaves today closed. */
function weekdayAhead(timeZone: string, locale = 'en-US'): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone }).format(Date.now() + 3 * 86_400_000)
}

describe('business hours and the queue', () => {
  it('the admin sets the week, a holiday, the texts and assignment; the status line follows', async () => {
    await admin.getByRole('link', { name: /admin/i }).first().click()
    await admin.getByRole('link', { name: 'Hours' }).click()
    await expect(admin.getByTestId('hours-status').textContent()).resolves.toContain('Open now.')
    await admin.getByLabel('Time zone').selectOption('Europe/Madrid')
    const day = weekdayAhead('Europe/Madrid')
    await admin.getByLabel('Day').selectOption({ label: day })
    await admin.getByLabel('Opens').fill('09:00')
    await admin.getByLabel('Closes').fill('17:00')
    await admin.getByRole('button', { name: 'Add hours' }).click()
    await admin
      .getByTestId('hours-span')
      .filter({ hasText: day })
      .filter({ hasText: '09:00–17:00' })
      .waitFor()

    await admin.getByLabel('Date').fill('2026-12-25')
    await admin.getByLabel('Name', { exact: true }).fill('Christmas')
    await admin.getByRole('button', { name: 'Add holiday' }).click()
    await admin.getByTestId('holiday').filter({ hasText: 'Christmas' }).waitFor()

    await admin.getByLabel('The AI answers customers').uncheck()
    await admin.getByLabel(/Assign chats waiting/).uncheck()
    await admin.getByLabel(/Away message/).fill('We are closed; back {{next_open}}.')
    await admin.getByLabel('Open chats per agent (maximum)').fill('0')
    await admin.getByRole('button', { name: 'Save' }).click()
    await admin.getByRole('alert').filter({ hasText: 'between 1 and 100' }).waitFor()
    await admin.getByLabel('Open chats per agent (maximum)').fill('3')
    await admin.getByRole('button', { name: 'Save' }).click()
    await admin.getByTestId('desk-rules-saved').waitFor()
    await admin
      .getByTestId('hours-status')
      .filter({ hasText: `Closed; opens ${day}` })
      .waitFor()

    const stored = await rig.db.query(
      `select t.timezone, t.ai_enabled, t.auto_assign, t.agent_capacity, t.away_text,
         (select count(*)::int from public.business_hours h where h.tenant_id = t.id) as spans,
         (select count(*)::int from public.business_holidays x where x.tenant_id = t.id) as holidays
       from public.tenants t where t.id = $1`,
      [TENANT],
    )
    expect(stored.rows[0]).toEqual({
      timezone: 'Europe/Madrid',
      ai_enabled: false,
      auto_assign: false,
      agent_capacity: 3,
      away_text: 'We are closed; back {{next_open}}.',
      spans: 1,
      holidays: 1,
    })
  })

  it('an agent sees the after-hours chat in the Queue tab with the away text, until it is assigned', async () => {
    // The customer's text is in the tenant's language (the demo store's is Spanish).
    const day = weekdayAhead('Europe/Madrid', 'es')
    const chat = await rig.customerWrites('5215588800777', 'Cliente Nocturno', '¿Siguen abiertos?')
    const queue = ana.getByRole('button', { name: /^Queue/ })
    await queue.getByRole('img', { name: '1 waiting for a person' }).waitFor()
    await queue.click()
    const row = ana.getByTestId('conversation-row').filter({ hasText: 'Cliente Nocturno' })
    await row.click()
    await ana
      .getByTestId('message')
      .filter({ hasText: `We are closed; back el ${day} a las 09:00.` })
      .waitFor()

    // Assignment back on; the sweeper gives the chat to an online agent and it leaves the queue.
    await rig.db.query('update public.tenants set auto_assign = true where id = $1', [TENANT])
    await rig.db.query('select public.assign_waiting_chats()')
    await row.waitFor({ state: 'detached' })
    await waitFor(async () => {
      const held = await rig.db.query<{ email: string }>(
        'select a.email from public.conversations c join public.agents a on a.user_id = c.assigned_agent_id where c.id = $1',
        [chat.conversationId],
      )
      return [ADMIN.email, ANA.email].includes(held.rows[0]?.email ?? '')
    }, 'chat assigned to an online agent')
  })
})
