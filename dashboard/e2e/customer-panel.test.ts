import { type ConnectorProcess, spawnConnector } from '@relevo/testing/connector-process'
import { DEMO_CONNECTOR_KEY } from '@relevo/testing/demo-seed'
import type { FunctionsProcess } from '@relevo/testing/functions-process'
import { sha256 } from '@relevo/testing/media-fixtures'
import { type Served, serve } from '@relevo/testing/serve'
import { createShopifyDouble, type ShopifyDouble } from '@relevo/testing/shopify-double'
import { productImage } from '@relevo/testing/shopify-fixtures'
import { type SimulatorPhone, simulatorPhone } from '@relevo/testing/simulator-phone'
import { waitFor } from '@relevo/testing/wait-for'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageOnFunctions, startRigFunctions } from './functions.ts'
import { ADMIN, ANA, TENANT, useRig } from './harness.ts'

// The customer panel beside the chat (issue 18, item 1): the desk's facts under RLS, and the
// store's customer and orders through the real functions (wrangler dev) from a Shopify Admin
// GraphQL double; the product picker sends a product's picture (its link as the caption) into the
// chat, which the connector delivers to the customer's phone (the simulator).
const rig = useRig()
let ana: Page
let shopify: ShopifyDouble
let shop: Served
let functions: FunctionsProcess
let connector: ConnectorProcess
let phone: SimulatorPhone
/** Shopify's CDN is down: the double's pictures answer 503. */
let cdnDown = false

beforeAll(async () => {
  shopify = createShopifyDouble({ tokens: ['shpat_panel'] })
  shop = await serve(async (request) =>
    cdnDown && new URL(request.url).pathname.startsWith('/s/files/')
      ? new Response('busy', { status: 503 })
      : shopify.handle(request),
  )
  functions = await startRigFunctions(rig, { SHOPIFY_API_URL: shop.url })
  await rig.db.query(
    `update public.tenants set shopify_shop_domain = 'demo-store.myshopify.com' where id = $1`,
    [TENANT],
  )
  const admin = await rig.supabaseAs(ADMIN)
  const { error } = await admin.rpc('set_tenant_secrets', { p_shopify_access_token: 'shpat_panel' })
  if (error) throw error
  connector = await spawnConnector({
    supabaseUrl: rig.standIn.url,
    auth: { connectorKey: DEMO_CONNECTOR_KEY, anonKey: rig.standIn.keys.anonKey },
    env: { OUTBOX_POLL_MS: '500', HEARTBEAT_MS: '2000' },
  })
  phone = simulatorPhone(connector.url)
  ana = await pageOnFunctions(rig, functions, ANA, { width: 1400, height: 900 })
}, 180_000)

afterAll(async () => {
  await connector?.stop()
  await functions?.stop()
  await shop?.close()
})

describe('customer panel', () => {
  it("shows the customer's facts, notes and store orders with their tracking link", async () => {
    const { conversationId } = await rig.customerWrites(
      '5215512345678',
      'Ana Cliente',
      '¿Dónde va mi pedido?',
    )
    const agent = await rig.supabaseAs(ANA)
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

  async function pick(search: string, title: string, button: string) {
    const picker = ana.getByTestId('customer-panel').getByTestId('product-picker')
    await picker.getByPlaceholder('Search products').fill(search)
    await picker.getByRole('button', { name: 'Search' }).click()
    const product = picker.getByTestId('product').filter({ hasText: title })
    await product.getByRole('button', { name: button }).click()
  }

  it("sends a product's picture with its link as the caption: the customer's phone receives the image", async () => {
    await pick('taza', 'Taza Azul Talavera', 'Send with picture')
    const url = 'https://demo-store.myshopify.com/products/taza-azul-talavera'
    await ana.locator('[data-testid="message"][data-type="image"]').filter({ hasText: url }).waitFor()
    const { rows } = await rig.db.query<{ body: string; author: string; type: string; media: unknown }>(
      `select body, author, type, media from public.messages where body like '%' || $1 and not private`,
      [url],
    )
    expect(rows).toEqual([
      {
        body: expect.stringMatching(/^Taza Azul Talavera — .*249\.00\n/),
        author: 'agent',
        type: 'image',
        media: {
          path: expect.stringMatching(new RegExp(`^${TENANT}/outgoing/[0-9a-f-]{36}\\.png$`)),
          mimetype: 'image/png',
          filename: 'taza-azul-talavera.png',
        },
      },
    ])
    const png = Buffer.from(productImage.base64, 'base64')
    const received = await waitFor(
      async () => (await phone.outbox()).find((m) => m.media?.sha256 === sha256(png)),
      "the customer's phone to receive the product's picture",
      60_000,
    )
    expect(received).toMatchObject({ chatId: '5215512345678@c.us', body: rows[0]?.body })
    expect(received.media).toMatchObject({ mimetype: 'image/png', size: png.length })
  })

  it("sends the link alone for a product without a picture, and says so when Shopify's CDN fails", async () => {
    await pick('camiseta', 'Camiseta Roja', 'Send link')
    const shirt = 'https://demo-store.myshopify.com/products/camiseta-roja'
    await ana.locator('[data-testid="message"][data-type="text"]').filter({ hasText: shirt }).waitFor()

    cdnDown = true
    try {
      await pick('taza', 'Taza Azul Talavera', 'Send with picture')
      await ana
        .getByTestId('product-image-problem')
        .filter({ hasText: "The picture of Taza Azul Talavera could not be sent: Shopify's image server" })
        .waitFor()
      const mug = 'https://demo-store.myshopify.com/products/taza-azul-talavera'
      await ana.locator('[data-testid="message"][data-type="text"]').filter({ hasText: mug }).waitFor()
      const { rows } = await rig.db.query<{ type: string }>(
        `select type from public.messages where body like '%' || $1 and not private order by created_at`,
        [mug],
      )
      // The picture of the first test, then this link alone.
      expect(rows.map((r) => r.type)).toEqual(['image', 'text'])
    } finally {
      cdnDown = false
    }
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
