import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

const OUT = fileURLToPath(new URL('../screenshots/', import.meta.url))

/**
 * Takes a screenshot and checks it is a real picture. It is written to dashboard/screenshots/ only
 * with UPDATE_SCREENSHOTS=1: the files are committed, and a plain test run must not rewrite them
 * (times and ids in them change on every run).
 */
export async function shoot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot()
  expect(png.byteLength).toBeGreaterThan(5_000)
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    await mkdir(OUT, { recursive: true })
    await writeFile(`${OUT}${name}.png`, png)
  }
}
