import { type FunctionsProcess, startFunctions } from '@relevo/testing/functions-process'
import { type Served, serve } from '@relevo/testing/serve'
import { createShopifyDouble, type ShopifyDouble } from '@relevo/testing/shopify-double'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, type Rig, startRig, TENANT } from './harness.ts'

// The customer panel beside the chat (issue 18, item 1): the desk's facts under RLS, and the
// store's customer and orders through the real functions (wrangler dev) from a Shopify Admin
// GraphQL double; the product picker sends a product's link into the chat.
let rig: Rig
let ana: Page
let shopify: ShopifyDouble
let shop: Served
let functions: FunctionsProcess

async function signedIn(user: { email: string; password: string }): Promise<SupabaseClient> {
  const client = createClient(rig.standIn.url, rig.standIn.keys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  })
  const { error } = await client.auth.signInWithPassword(user)
  if (error) throw error
  return client
}

beforeAll(async () => {
  rig = await startRig()
  shopify = createShopifyDouble({ tokens: ['shpat_panel'] })
  shop = await serve(shopify.handle)
  functions = await startFunctions({
    SUPABASE_URL: rig.standIn.url,
    SUPABASE_ANON_KEY: rig.standIn.keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: rig.standIn.keys.serviceRoleKey,
    WEBHOOK_SECRET: 'e2e-webhook-secret',
    OPS_TOKEN: 'e2e-ops-token',
    SHOPIFY_API_URL: shop.url,
  })
  await rig.db.query(
    `update public.tenants set shopify_shop_domain = 'demo-store.myshopify.com' where id = $1`,
    [TENANT],
  )
  const admin = await signedIn(ADMIN)
  const { error } = await admin.rpc('set_tenant_secrets', { p_shopify_access_token: 'shpat_panel' })
  if (error) throw error
  ana = await rig.newPage('en', { width: 1400, height: 900 })
  await ana.addInitScript((url) => {
    const w = window as unknown as { __RELEVO_ENV__: Record<string, string> }
    w.__RELEVO_ENV__ = { ...w.__RELEVO_ENV__, functionsUrl: url }
  }, functions.url)
  await rig.signIn(ana, ANA)
}, 180_000)

afterAll(async () => {
  await functions?.stop()
  await shop?.close()
  await rig?.close()
})

describe('customer panel', () => {
  it("shows the customer's facts, notes and store orders with their tracking link", async () => {
    const { conversationId } = await rig.customerWrites(
      '5215512345678',
      'Ana Cliente',
      '¿Dónde va mi pedido?',
    )
    const agent = await signedIn(ANA)
    await agent.rpc('add_note', { p_conversation_id: conversationId, p_body: 'Pidió factura la vez pasada' })

    await ana.goto(`${rig.site.url}/inbox/${conversationId}`)
    const panel = ana.getByTestId('customer-panel')
    await panel.getByTestId('conversations').filter({ hasText: '1' }).waitFor()
    await panel.getByTestId('panel-notes').getByText('Pidió factura la vez pasada').waitFor()
    expect(await panel.getByTestId('first-seen').textContent()).toMatch(/\d/)
    await panel.getByText('No labels').waitFor()

    const store = panel.getByTestId('store-customer')
    await store.getByText('Ana Cliente').waitFor()
    await store.getByText('2 orders').waitFor()
    const orders = store.getByTestId('order')
    await expect(orders.allTextContents()).resolves.toEqual([
      expect.stringMatching(/#1002.*PAID.*UNFULFILLED/s),
      expect.stringMatching(/#1001.*PAID.*FULFILLED/s),
    ])
    const track = orders.nth(1).getByRole('link', { name: /Track: Estafeta EST123456789MX/ })
    expect(await track.getAttribute('href')).toBe('https://rastreo.example/EST123456789MX')
    expect(shopify.calls.findLast((c) => c.operation === 'CustomerByContact')?.variables.q).toBe(
      'phone:"+5215512345678" OR phone:"+525512345678"',
    )
  })

  it("sends a product's link from the picker into the chat", async () => {
    const panel = ana.getByTestId('customer-panel')
    const picker = panel.getByTestId('product-picker')
    await picker.getByPlaceholder('Search products').fill('taza')
    await picker.getByRole('button', { name: 'Search' }).click()
    const product = picker.getByTestId('product').filter({ hasText: 'Taza Azul Talavera' })
    await product.getByRole('button', { name: 'Send link' }).click()
    const url = 'https://demo-store.myshopify.com/products/taza-azul-talavera'
    await ana.getByTestId('message').filter({ hasText: url }).waitFor()
    const { rows } = await rig.db.query<{ body: string; author: string }>(
      `select body, author from public.messages where body like '%' || $1 and not private`,
      [url],
    )
    expect(rows).toEqual([
      { body: expect.stringMatching(/^Taza Azul Talavera — .*249\.00\n/), author: 'agent' },
    ])
  })

  it('finds nobody by a stranger phone, then the customer by the email the agent types', async () => {
    const { conversationId } = await rig.customerWrites('5215500009999', 'Otro Número', 'Hola')
    await ana.goto(`${rig.site.url}/inbox/${conversationId}`)
    const store = ana.getByTestId('store-customer')
    await store.getByText('No store customer has this phone.').waitFor()
    await store.getByPlaceholder('Search by email').fill('ana.cliente@example.com')
    await store.getByRole('button', { name: 'Search' }).click()
    await store.getByText('Ana Cliente').waitFor()
    expect(shopify.calls.findLast((c) => c.operation === 'CustomerByContact')?.variables.q).toBe(
      'phone:"+5215500009999" OR phone:"+525500009999" OR email:"ana.cliente@example.com"',
    )
  })

  it('hides and shows the panel from the chat header', async () => {
    await ana.getByRole('button', { name: 'Customer', exact: true }).click()
    await ana.getByTestId('customer-panel').waitFor({ state: 'detached' })
    await ana.getByRole('button', { name: 'Customer', exact: true }).click()
    await ana.getByTestId('customer-panel').waitFor()
  })
})
