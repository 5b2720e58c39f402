import type { Page } from 'playwright-core'

/** Saves the Settings screen's form and waits for its "Saved" notice (English pages). */
export async function saveSettings(page: Page): Promise<void> {
  await page.getByTestId('settings-form').getByRole('button', { name: 'Save', exact: true }).click()
  await page.getByTestId('settings-notice').filter({ hasText: 'Saved' }).waitFor()
}
