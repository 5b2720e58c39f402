import type { Page } from 'playwright-core'

// Functions evaluated in the page declare no named inner functions: tsx would wrap them in a
// `__name` helper that the page does not have.

/**
 * The open 5,000-message chat with every page loaded (scrolled to the top until the first line is
 * there): how many rows the DOM holds, what one scroll step costs (set scrollTop → two frames
 * painted, across the whole thread), and "jump to latest" from the top (click → newest row shown).
 */
export async function measureLongThread(page: Page) {
  const loaded = await page.evaluate(async () => {
    const thread = document.querySelector<HTMLElement>('[data-testid="thread"]')
    if (!thread) throw new Error('no open thread')
    for (let i = 0; i < 3000; i++) {
      const bodies = [...thread.querySelectorAll('[data-testid="message"] .body')]
      if (bodies.some((b) => b.textContent === 'Línea 1 del chat grande')) return true
      thread.scrollTop = 0
      await new Promise((r) => setTimeout(r, 30))
    }
    return false
  })
  const scrollStep = await page.evaluate(async () => {
    const thread = document.querySelector<HTMLElement>('[data-testid="thread"]') as HTMLElement
    const times: number[] = []
    const step = thread.scrollHeight / 200
    for (let y = 0; y < thread.scrollHeight - thread.clientHeight; y += step) {
      const t0 = performance.now()
      thread.scrollTop = y
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      times.push(performance.now() - t0)
    }
    return times
  })
  const rowsInDom = await page.evaluate(() => document.querySelectorAll('[data-testid="message"]').length)
  const jump: number[] = []
  for (let i = 0; i < 5; i++) {
    jump.push(
      await page.evaluate(async () => {
        const thread = document.querySelector<HTMLElement>('[data-testid="thread"]') as HTMLElement
        thread.scrollTop = 0
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
        const t0 = performance.now()
        document.querySelector<HTMLButtonElement>('button[aria-keyshortcuts="End"]')?.click()
        while (
          ![...thread.querySelectorAll('[data-testid="message"] .body')].some(
            (b) => b.textContent === 'Línea 5000 del chat grande',
          )
        ) {
          await new Promise((r) => requestAnimationFrame(r))
        }
        return performance.now() - t0
      }),
    )
  }
  return { loaded, rowsInDom, scrollStep, jump }
}
