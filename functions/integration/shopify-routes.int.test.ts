import { sha256 } from '@relevo/testing/media-fixtures'
import { createShopifyDouble, type ShopifyDouble } from '@relevo/testing/shopify-double'
import { productImage } from '@relevo/testing/shopify-fixtures'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentRpc } from './agent-rpc.ts'
import { type Backend, CHANNEL_ID, startBackend, TENANT_ID } from './backend.ts'
import { connectDemoStore } from './connect-store.ts'

let b: Backend
let shopify: ShopifyDouble
/** What Shopify's CDN answers instead of the double's picture, for the refusals. */
let cdnAnswer: (() => Response | Promise<Response>) | null = null
beforeAll(async () => {
  shopify = createShopifyDouble({ tokens: ['shpat_tenant'] })
  b = await startBackend({
    // The CDN double answers in-process; DNS over HTTPS (ADR 073) is not reachable here.
    env: { RELEVO_ALLOW_PRIVATE_URLS: '1' },
    deps: { imageFetch: async (input, init) => (cdnAnswer ? cdnAnswer() : shopify.fetch(input, init)) },
  })
  setAbstractFetchFunc(shopify.fetch)
})
afterAll(async () => {
  await b?.close()
})

const get = async (path: string, email = 'ana@demo.relevo.test') =>
  fetch(`${b.functions.url}${path}`, { headers: { authorization: `Bearer ${await b.signIn(email)}` } })

describe("dashboard's Shopify panel", () => {
  it('answers 409 while the tenant has no store connected', async () => {
    const response = await get('/api/shopify/products?q=taza')
    expect(response.status).toBe(409)
    expect(await response.json()).toMatchObject({ code: 'shopify_not_configured' })
  })

  it("searches the tenant's store with the tenant's own token (set by an admin, never returned)", async () => {
    await connectDemoStore(b, 'shpat_tenant')
    const response = await get('/api/shopify/products?q=taza')
    expect(response.status).toBe(200)
    const body = (await response.json()) as { products: { title: string; price: { amount: string } }[] }
    expect(body.products).toEqual([
      expect.objectContaining({
        title: 'Taza Azul Talavera',
        price: { amount: '249.00', currencyCode: 'MXN' },
      }),
    ])
    expect(JSON.stringify(body)).not.toContain('shpat_')
  })

  it("tests the connection: /shop answers the store's name", async () => {
    const response = await get('/api/shopify/shop')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      shop: { name: 'Demo Store MX', domain: 'demo-store.myshopify.com' },
    })
  })

  it('looks up an order by name for an agent, and 404s an unknown one', async () => {
    const found = await get('/api/shopify/orders/1001')
    expect(found.status).toBe(200)
    expect(await found.json()).toMatchObject({ order: { order_number: '#1001', fulfillment: 'FULFILLED' } })
    expect((await get('/api/shopify/orders/9999')).status).toBe(404)
    expect((await get('/api/shopify/orders/bad%20name!')).status).toBe(400)
  })

  it("finds the chat's customer by phone (WhatsApp's Mexican 1 or not) with their newest orders", async () => {
    const { conversationId } = await b.ingest('Hola, ¿dónde va mi pedido?', { phone: '5215512345678' })
    const response = await get(`/api/shopify/customer?conversation_id=${conversationId}`)
    expect(response.status).toBe(200)
    const { customer } = (await response.json()) as {
      customer: { name: string; orders_count: number; admin_url: string; orders: Record<string, unknown>[] }
    }
    expect(customer).toMatchObject({
      name: 'Ana Cliente',
      orders_count: 2,
      admin_url: 'https://demo-store.myshopify.com/admin/customers/7001',
    })
    expect(customer.orders).toEqual([
      expect.objectContaining({ order_number: '#1002', payment: 'PAID', fulfillment: 'UNFULFILLED' }),
      expect.objectContaining({
        order_number: '#1001',
        shipments: [
          expect.objectContaining({
            tracking: [expect.objectContaining({ url: 'https://rastreo.example/EST123456789MX' })],
          }),
        ],
      }),
    ])
    const search = shopify.calls.findLast((c) => c.operation === 'CustomerByContact')
    expect(search?.variables.q).toBe('phone:"+5215512345678" OR phone:"+525512345678"')
  })

  it('falls back to an email the agent typed, and answers null for nobody', async () => {
    const { conversationId } = await b.ingest('Hola', { phone: '5215500001111' })
    const none = await get(`/api/shopify/customer?conversation_id=${conversationId}`)
    expect(await none.json()).toEqual({ customer: null })
    const byEmail = await get(
      `/api/shopify/customer?conversation_id=${conversationId}&email=${encodeURIComponent('ANA.cliente@example.com')}`,
    )
    expect(await byEmail.json()).toMatchObject({ customer: { name: 'Ana Cliente' } })
    expect((await get('/api/shopify/customer?conversation_id=nope')).status).toBe(400)
    expect((await get(`/api/shopify/customer?conversation_id=${crypto.randomUUID()}`)).status).toBe(404)
  })

  it("stores a picked product's picture in the tenant's outgoing/ folder, ready for send_agent_message", async () => {
    const token = await b.signIn('ana@demo.relevo.test')
    const response = await fetch(`${b.functions.url}/api/shopify/products/1001/image`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(201)
    const { media } = (await response.json()) as { media: { path: string; filename: string } }
    const png = Buffer.from(productImage.base64, 'base64')
    expect(media).toEqual({
      path: expect.stringMatching(new RegExp(`^${TENANT_ID}/outgoing/[0-9a-f-]{36}\\.png$`)),
      mimetype: 'image/png',
      filename: 'taza-azul-talavera.png',
      size: png.length,
      sha256: sha256(png),
    })
    expect(shopify.imageRequests.at(-1)).toBe(productImage.url)
    const file = await b.service.storage.from('media').download(media.path)
    expect(sha256(Buffer.from(await (file.data as Blob).arrayBuffer()))).toBe(sha256(png))

    // The desk sends it as any agent's file: an image message in the outbox with the link as caption.
    const { conversationId } = await b.ingest('¿Tienen tazas?', { phone: '5215500002222' })
    const caption =
      'Taza Azul Talavera — $249.00\nhttps://demo-store.myshopify.com/products/taza-azul-talavera'
    const sent = (await agentRpc(b, token, 'send_agent_message', {
      p_conversation_id: conversationId,
      p_body: caption,
      p_media: media,
    })) as { id: string }
    const { rows } = await b.db.query(
      'select type, body, status, media from public.messages where id = $1 and channel_id = $2',
      [sent.id, CHANNEL_ID],
    )
    expect(rows).toEqual([
      {
        type: 'image',
        body: caption,
        status: 'queued',
        media: { path: media.path, mimetype: 'image/png', filename: 'taza-azul-talavera.png' },
      },
    ])
  })

  it('answers what went wrong with the picture, so the desk sends the link alone', async () => {
    const token = await b.signIn('ana@demo.relevo.test')
    const post = async (id: string) => {
      const response = await fetch(`${b.functions.url}/api/shopify/products/${id}/image`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      })
      return { status: response.status, body: (await response.json()) as { code: string; hint?: string } }
    }
    expect(await post('9999')).toMatchObject({ status: 404, body: { code: 'product_not_found' } })
    expect(await post('1002')).toMatchObject({ status: 404, body: { code: 'product_without_image' } })
    expect(await post('gid')).toMatchObject({ status: 400, body: { code: 'invalid_product_id' } })
    try {
      cdnAnswer = () => new Response('<html>', { headers: { 'content-type': 'text/html' } })
      expect(await post('1001')).toMatchObject({ status: 415, body: { code: 'product_image_not_an_image' } })
      const big = new Uint8Array(5 * 1024 * 1024 + 1)
      cdnAnswer = () => new Response(big, { headers: { 'content-type': 'image/jpeg' } })
      expect(await post('1001')).toMatchObject({ status: 413, body: { code: 'product_image_too_large' } })
      cdnAnswer = () => new Response('busy', { status: 503 })
      expect(await post('1001')).toMatchObject({
        status: 502,
        body: { code: 'product_image_unreachable', hint: expect.stringContaining('link') },
      })
      cdnAnswer = () => Promise.reject(new TypeError('fetch failed'))
      expect(await post('1001')).toMatchObject({ status: 502, body: { code: 'product_image_unreachable' } })
    } finally {
      cdnAnswer = null
    }
  })

  it('requires an agent token: the ops token is not an agent of any store', async () => {
    const response = await fetch(`${b.functions.url}/api/shopify/products?q=taza`, {
      headers: { authorization: 'Bearer ops-token-for-tests' },
    })
    expect(response.status).toBe(403)
  })
})
