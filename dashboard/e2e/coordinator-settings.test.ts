import { coordinatorAnswer, createCoordinatorDouble } from '@relevo/testing/coordinator-double'
import type { FunctionsProcess } from '@relevo/testing/functions-process'
import { type Served, serve } from '@relevo/testing/serve'
import { createShopifyDouble } from '@relevo/testing/shopify-double'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageOnFunctions, startRigFunctions } from './functions.ts'
import { ADMIN, TENANT, useRig } from './harness.ts'
import { saveSettings } from './settings-page.ts'

// The store's coordinator as it is (ADR 115) and Shopify's Test, from the Settings screen through
// the real functions (wrangler dev) to doubles: a coordinator that speaks its own contract
// ({"input": …} → {"data": {"answer", "escalate", "why"}}, bearer token) and the Shopify Admin API.
const TOKEN = 'coord-e2e-token'
const rig = useRig()
let coordinator: Served
let shopify: Served
let functions: FunctionsProcess
let page: Page

beforeAll(async () => {
  coordinator = await serve(createCoordinatorDouble({ token: TOKEN }).handle)
  shopify = await serve(createShopifyDouble({ tokens: ['shpat_e2e'] }).handle)
  functions = await startRigFunctions(rig, {
    // Both doubles listen on loopback: a private deployment's setting, on both sides (ADR 073).
    RELEVO_ALLOW_PRIVATE_URLS: '1',
    SHOPIFY_API_URL: shopify.url,
  })
  await rig.db.query(`select set_config('relevo.allow_private_urls', 'on', false)`)
  page = await pageOnFunctions(rig, functions, ADMIN)
}, 240_000)

afterAll(async () => {
  await functions?.stop()
  await coordinator?.close()
  await shopify?.close()
})

const result = () => page.getByTestId('coordinator-test-result')

async function saveSecret(label: string, value: string) {
  const form = page.getByTestId('secrets-form')
  await form.getByLabel(label, { exact: true }).fill(value)
  await form.getByRole('button', { name: 'Save credentials' }).click()
  await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor()
}

describe("settings: the store's coordinator and Shopify", () => {
  it('a preset, then a custom mapping: Test shows what the mapping read from the answer', async () => {
    await page.goto(`${rig.site.url}/settings`)
    await page.getByLabel('AI provider').selectOption('http')
    await page.getByLabel('HTTP service URL').fill(`${coordinator.url}/api/workflows/sales-coordinator`)
    const choice = page.getByLabel("The service's contract")
    expect(await choice.inputValue()).toBe('relevo_v1')

    // The plain preset speaks {message, phone}: this coordinator wants its bearer token first.
    await choice.selectOption('plain')
    expect(await page.getByLabel('Request body (JSON)').inputValue()).toContain(
      '"phone": "{{customer_phone}}"',
    )
    await page.getByRole('button', { name: 'Test the service' }).click()
    await result().filter({ hasText: 'Failed: HTTP provider answered 401' }).waitFor()

    await choice.selectOption('custom')
    await page
      .getByLabel('Request body (JSON)')
      .fill('{"input": {"text": "{{message}}", "phone": "{{customer_phone}}", "name": "{{customer_name}}"}}')
    await page.getByLabel(/^Extra headers/).fill('Authorization: Bearer {{secret}}')
    await page.getByLabel('Path of the reply (e.g. data.reply)').fill('data.answer')
    await page.getByLabel('Path of the hand-to-a-person flag (optional)').fill('data.escalate')
    await page.getByLabel('Path of the reason (optional)').fill('data.why')
    await page.getByRole('button', { name: 'Test the service' }).click()
    await result().filter({ hasText: 'no header secret is saved' }).waitFor()

    await saveSecret('HTTP service header secret', TOKEN)
    await page.getByRole('button', { name: 'Test the service' }).click()
    await result()
      .filter({ hasText: `Reply: ${coordinatorAnswer('Hola, ¿tienen envío a Monterrey?')}` })
      .waitFor()
    expect(await result().textContent()).not.toContain(TOKEN)

    // A wrong path says which one is missing.
    await page.getByLabel('Path of the reply (e.g. data.reply)').fill('result.reply')
    await page.getByLabel('Path of the hand-to-a-person flag (optional)').fill('')
    await page.getByRole('button', { name: 'Test the service' }).click()
    await result().filter({ hasText: 'nothing is at "result.reply"' }).waitFor()

    await page.getByLabel('Path of the reply (e.g. data.reply)').fill('data.answer')
    await page.getByLabel('Path of the hand-to-a-person flag (optional)').fill('data.escalate')
    await saveSettings(page)
    const { rows } = await rig.db.query<{ ai_provider: string; ai_http_mapping: unknown }>(
      'select ai_provider, ai_http_mapping from public.tenants where id = $1',
      [TENANT],
    )
    expect(rows[0]).toEqual({
      ai_provider: 'http',
      ai_http_mapping: {
        body: '{"input": {"text": "{{message}}", "phone": "{{customer_phone}}", "name": "{{customer_name}}"}}',
        headers: { Authorization: 'Bearer {{secret}}' },
        reply_path: 'data.answer',
        handoff_path: 'data.escalate',
        reason_path: 'data.why',
      },
    })
    await page.reload()
    expect(await page.getByLabel("The service's contract").inputValue()).toBe('custom')
  })

  it("Shopify's Test shows the shop's name, or why it cannot", async () => {
    await page.goto(`${rig.site.url}/settings`)
    await page.getByRole('button', { name: 'Test the connection' }).click()
    await page
      .getByTestId('shopify-test-result')
      .filter({ hasText: 'Not connected: No Shopify store is connected to this tenant' })
      .waitFor()

    await page.getByLabel('Store (xxx.myshopify.com)').fill('demo-store.myshopify.com')
    await saveSettings(page)
    await saveSecret('Shopify access token', 'shpat_e2e')
    await page.getByRole('button', { name: 'Test the connection' }).click()
    await page.getByTestId('shopify-test-result').filter({ hasText: 'Connected: Demo Store MX' }).waitFor()

    // The first-run checklist offers the same Test on its Shopify step once a store is set.
    await page.goto(`${rig.site.url}/setup`)
    const step = page.locator('[data-testid="setup-step"][data-step="shopify"]')
    await step.getByRole('button', { name: 'Test the connection' }).click()
    await step.getByTestId('shopify-test-result').filter({ hasText: 'Connected: Demo Store MX' }).waitFor()
  })
})
