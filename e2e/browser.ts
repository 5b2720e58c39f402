import type { Browser, Page } from 'playwright-core'

export const DASHBOARD = 'http://127.0.0.1:5173'

export async function signIn(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.setDefaultTimeout(60_000)
  await page.goto(`${DASHBOARD}/inbox`)
  await page.getByLabel(/email/i).fill(email)
  await page.getByLabel(/password/i).fill(password)
  await page.getByRole('button', { name: /sign in/i }).click()
  await page.getByTestId('conversation-list').waitFor()
  return page
}

export function conversationRow(page: Page, name: string) {
  return page.getByTestId('conversation-row').filter({ hasText: name })
}

/** Waits until `name`'s inbox row shows `holder` on its badge: AI, an agent's name, or No agent. */
export function heldBy(page: Page, name: string, holder: string): Promise<void> {
  return conversationRow(page, name).getByTestId('holder-badge').filter({ hasText: holder }).waitFor()
}
