import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ANA, TENANT, useRig } from './harness.ts'

// Long threads (issue 18, item 10): the thread renders only the rows near the viewport, keeps
// the reader's row still while older pages load, marks where the unread messages start, offers
// "jump to latest" when scrolled up, and the desk's keyboard shortcuts are listed in a dialog.
const rig = useRig()
let ana: Page
let longChat: string

const rendered = () => ana.getByTestId('thread').locator('[data-message-id]').count()
const thread = () => ana.getByTestId('thread')

beforeAll(async () => {
  const first = await rig.customerWrites('5215577770000', 'Cliente Largo', 'mensaje 0')
  longChat = first.conversationId
  // 600 older messages (mensaje 1 the oldest), one a minute, some long enough to wrap (rows of different heights).
  await rig.db.query(
    `insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, status, body, created_at)
     select $1, c.channel_id, c.id, (case when g % 3 = 0 then 'out' else 'in' end)::public.message_direction,
       (case when g % 3 = 0 then 'agent' else 'customer' end)::public.message_author, 'received',
       'mensaje ' || g || case when g % 7 = 0 then repeat(' palabra larga', 40) else '' end,
       now() - interval '1 day' + g * interval '1 minute'
     from public.conversations c, generate_series(1, 600) g where c.id = $2`,
    [TENANT, longChat],
  )
  ana = await rig.pageAs(ANA, { viewport: { width: 1280, height: 800 } })
}, 180_000)

describe('long threads', () => {
  it('renders a window of rows, and keeps the reader still while older pages load', async () => {
    await ana.goto(`${rig.site.url}/inbox/${longChat}`)
    await thread().getByText('mensaje 0', { exact: true }).waitFor()
    // Near the top, a row on screen; the next older page loads above it and it stays where it was.
    const firstOnScreen = () =>
      thread().evaluate((el) => {
        const box = el.getBoundingClientRect()
        const row = [...el.querySelectorAll<HTMLElement>('[data-message-id]')].find(
          (r) => r.getBoundingClientRect().top > box.top + 150,
        )
        return row?.dataset.messageId
      })
    const rowAt = (id: string | undefined) =>
      thread().evaluate((el, rowId) => {
        const row = el.querySelector(`[data-message-id="${rowId}"]`)
        return Math.round((row?.getBoundingClientRect().top ?? -1e6) - el.getBoundingClientRect().top)
      }, id)
    await thread().evaluate((el) => {
      el.scrollTop = 200
    })
    await ana.waitForTimeout(300)
    const reading = await firstOnScreen()
    const readingAt = await rowAt(reading)
    await thread()
      .getByRole('button', { name: 'Load older messages' })
      .evaluate((b) => (b as HTMLButtonElement).click())
    await thread().getByText('mensaje 550', { exact: true }).waitFor({ state: 'attached' })
    await ana.waitForTimeout(300)
    // Without anchoring it would move down by a page of rows (thousands of pixels); a pixel or two is rounding.
    expect(Math.abs((await rowAt(reading)) - readingAt)).toBeLessThanOrEqual(4)
    const toTop = () =>
      thread().evaluate((el) => {
        el.scrollTop = 0
      })
    // Load the rest: the DOM holds a window of rows, never the whole thread.
    for (let i = 0; i < 40 && !(await thread().getByText('mensaje 1', { exact: true }).count()); i++) {
      await toTop()
      await ana.waitForTimeout(200)
    }
    await thread().getByText('mensaje 1', { exact: true }).waitFor({ state: 'attached' })
    expect(await rendered()).toBeLessThan(120)

    // A new message at the end leaves a reader in the middle where they were.
    await thread().evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2
    })
    await ana.waitForTimeout(300)
    const middle = await thread().evaluate((el) => {
      const box = el.getBoundingClientRect()
      const row = [...el.querySelectorAll<HTMLElement>('[data-message-id]')].find(
        (r) => r.getBoundingClientRect().bottom > box.top + 40,
      )
      return row?.dataset.messageId
    })
    const at = await rowAt(middle)
    await rig.customerWrites('5215577770000', 'Cliente Largo', 'uno nuevo al final')
    await ana.waitForTimeout(600)
    expect(Math.abs((await rowAt(middle)) - at)).toBeLessThanOrEqual(4)
  })

  it('jumps to the latest from a scrolled-up thread', async () => {
    const jump = ana.getByRole('button', { name: /Jump to latest/ })
    await jump.waitFor()
    await jump.click()
    await thread().getByText('uno nuevo al final').waitFor()
    await jump.waitFor({ state: 'detached' })
  })

  it('marks where the unread messages start', async () => {
    const { conversationId } = await rig.customerWrites('5215566660000', 'Cliente Nuevo', 'leído')
    await ana.goto(`${rig.site.url}/inbox/${conversationId}`)
    await thread().getByText('leído').waitFor()
    await ana.goto(`${rig.site.url}/inbox`)
    await rig.customerWrites('5215566660000', 'Cliente Nuevo', 'primero sin leer')
    await rig.customerWrites('5215566660000', 'Cliente Nuevo', 'segundo sin leer')
    const row = ana.getByTestId('conversation-row').filter({ hasText: 'Cliente Nuevo' })
    await row.getByText('2', { exact: true }).waitFor()
    await row.click()
    const marker = thread().getByTestId('unread-marker')
    await marker.waitFor()
    const next = await marker.evaluate((el) => el.nextElementSibling?.textContent ?? '')
    expect(next).toContain('primero sin leer')
  })

  it('lists the keyboard shortcuts in a dialog (?), and moves between chats (j, k) and to search (/)', async () => {
    await ana.locator('body').click({ position: { x: 700, y: 5 } })
    await ana.keyboard.press('?')
    const help = ana.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await help.waitFor()
    for (const action of [
      'Next chat',
      'Previous chat',
      'Search the messages',
      'Jump to the latest',
      'Show this help',
    ])
      await help.getByText(action).waitFor()
    await ana.keyboard.press('Escape')
    await help.waitFor({ state: 'hidden' })

    const before = ana.url()
    await ana.keyboard.press('j')
    await ana.waitForURL((url) => url.toString() !== before)
    // The opened chat may focus its composer, where letters are typing: Alt + ↑ works there too.
    await ana.keyboard.press('Alt+ArrowUp')
    await ana.waitForURL(before)
    await ana.keyboard.press('Escape')
    await ana.keyboard.press('/')
    expect(await ana.evaluate(() => document.activeElement?.getAttribute('data-shortcut'))).toBe('search')
  })
})
