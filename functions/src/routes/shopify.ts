/**
 * @module
 * The dashboard's product panel: GET /api/shopify/products?q= and GET /api/shopify/orders/:name,
 * GET /api/shopify/customer?conversation_id=&email= (the customer panel: the store's customer with
 * the chat's phone, or the email typed, and their newest orders), POST /api/shopify/products/:id/image
 * (the picked product's picture stored in the tenant's outgoing/ folder, ready for
 * send_agent_message's p_media; ADR 124), and GET /api/shopify/shop, which tests the connection by
 * answering the store's name.
 * Agent JWT required; the store is always the caller's tenant's (read under RLS), and its
 * credentials are read with the service role, never returned.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { check } from '../adapters/postgrest.ts'
import { serviceClient } from '../adapters/supabase.ts'
import { createSupabaseStore } from '../adapters/supabase-store.ts'
import { readConfig } from '../config/config.ts'
import { type AuthEnv, requireCaller } from '../http/auth.ts'
import { MediaError } from '../pipeline/media.ts'
import { productImageFetch, storeProductImage } from '../pipeline/product-image.ts'
import { InputError, RelevoError } from '../shared/errors.ts'
import type { ShopifyAdmin } from '../tools/shopify/admin-client.ts'
import { findCustomer } from '../tools/shopify/customer-lookup.ts'
import { summarizeOrder } from '../tools/shopify/order-summary.ts'
import {
  GET_PRODUCT,
  getProductData,
  ORDER_BY_NAME,
  orderByNameData,
  quoteSearch,
  SEARCH_PRODUCTS,
  SHOP_INFO,
  searchProductsData,
  shopInfoData,
} from '../tools/shopify/queries.ts'
import { shopifyAdminFor } from '../tools/shopify/shopify-for-tenant.ts'
import { productSummary } from '../tools/shopify/shopify-tools.ts'
import { type AppDeps, services } from '../wiring/services.ts'

const productQuery = z.object({ q: z.string().trim().min(1).max(200) })
const customerQuery = z.object({
  conversation_id: z.uuid(),
  email: z.email().max(254).optional(),
})
const productId = z.string().regex(/^\d{1,20}$/)
/** Fetching and storing a picked product's picture; an agent is waiting for it. */
const PRODUCT_IMAGE_TIMEOUT_MS = 10_000
const orderName = z
  .string()
  .trim()
  .regex(/^#?[\w-]{1,40}$/)

export function shopifyRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>()
  const auth = requireCaller({ admin: false, ops: false, supabaseFetch: deps.supabaseFetch })

  type Context = { env: AuthEnv['Bindings']; var: { caller: AuthEnv['Variables']['caller'] } }

  function agentOf(c: Context) {
    const caller = c.var.caller
    if (caller.kind !== 'agent')
      throw new RelevoError('agent_required', 'Agent token required', { status: 403 })
    return caller
  }

  async function adminFor(c: Context) {
    const caller = agentOf(c)
    const config = readConfig(c.env)
    const tenant = check(
      'load tenant',
      await caller.db.from('tenants').select('shopify_shop_domain').eq('id', caller.tenantId).maybeSingle(),
    )
    const secrets = await createSupabaseStore(serviceClient(config, deps.supabaseFetch)).getTenantSecrets(
      caller.tenantId,
    )
    const admin = shopifyAdminFor(caller.tenantId, tenant?.shopify_shop_domain ?? null, secrets, config)
    if (!admin) {
      throw new RelevoError('shopify_not_configured', 'No Shopify store is connected to this tenant', {
        status: 409,
        hint: "An admin sets the shop domain and the store's Admin token in Settings (the deployment's shared credentials serve only shops listed for the tenant in SHOPIFY_SHARED_SHOPS)",
      })
    }
    return admin
  }

  app.get('/products', auth, async (c) => {
    const parsed = productQuery.safeParse(c.req.query())
    if (!parsed.success) throw new InputError('invalid_query', 'q (1 to 200 characters) is required')
    const admin = await adminFor(c)
    const data = searchProductsData.parse(
      await admin.graphql(SEARCH_PRODUCTS, { q: `${quoteSearch(parsed.data.q)} status:active`, first: 10 }),
    )
    return c.json({ products: data.products.nodes.map((p) => productSummary(admin.shop, p)) })
  })

  app.post('/products/:id/image', auth, async (c) => {
    const id = productId.safeParse(c.req.param('id'))
    if (!id.success)
      throw new InputError(
        'invalid_product_id',
        'The product id is the number that ends its gid://shopify/Product/…',
      )
    const product = await productWithImage(await adminFor(c), id.data)
    const { config, media, fetchImage } = services(c.env, deps)
    const fetchCdn = productImageFetch(
      { apiUrl: config.SHOPIFY_API_URL, allowPrivate: config.RELEVO_ALLOW_PRIVATE_URLS },
      fetchImage,
    )
    const folder = `${agentOf(c).tenantId}/outgoing`
    const signal = AbortSignal.timeout(PRODUCT_IMAGE_TIMEOUT_MS)
    try {
      const stored = await storeProductImage(
        product.imageUrl,
        folder,
        { media, fetchImage: fetchCdn },
        signal,
      )
      const filename = `${product.handle}${stored.path.slice(stored.path.lastIndexOf('.'))}`
      return c.json({ media: { ...stored, filename } }, 201)
    } catch (error) {
      // Shopify's CDN failed (not the caller, not us): a gateway's 502, with the next step.
      if (!(error instanceof MediaError) || error.status < 500) throw error
      return c.json({ code: error.code, message: error.message, hint: error.hint }, 502)
    }
  })

  app.get('/shop', auth, async (c) => {
    const admin = await adminFor(c)
    const { shop } = shopInfoData.parse(await admin.graphql(SHOP_INFO, {}))
    return c.json({ shop: { name: shop.name, domain: shop.myshopifyDomain } })
  })

  app.get('/orders/:name', auth, async (c) => {
    const parsed = orderName.safeParse(c.req.param('name'))
    if (!parsed.success) throw new InputError('invalid_order_name', 'Order name looks like 1001 or #1001')
    const admin = await adminFor(c)
    const name = `#${parsed.data.replace(/^#/, '')}`
    const data = orderByNameData.parse(await admin.graphql(ORDER_BY_NAME, { q: `name:${quoteSearch(name)}` }))
    const order = data.orders.nodes[0]
    if (!order)
      return c.json({ code: 'order_not_found', message: `No order ${name} in the last 60 days` }, 404)
    return c.json({ order: summarizeOrder(order) })
  })

  app.get('/customer', auth, async (c) => {
    const parsed = customerQuery.safeParse(c.req.query())
    if (!parsed.success)
      throw new InputError('invalid_query', 'conversation_id (a uuid) is required; email must be an address')
    // Read under RLS with the agent's token: a chat of another tenant is not found.
    const chat = check(
      'load conversation',
      await agentOf(c)
        .db.from('conversations')
        .select('customer_phone')
        .eq('id', parsed.data.conversation_id)
        .maybeSingle(),
    )
    if (!chat) return c.json({ code: 'conversation_not_found', message: 'No such conversation' }, 404)
    const admin = await adminFor(c)
    const customer = await findCustomer(admin, {
      phone: chat.customer_phone,
      email: parsed.data.email ?? null,
    })
    return c.json({ customer })
  })
  return app
}

/** The product's handle and picture URL; 404 when the store has no such product or it has no picture. */
async function productWithImage(admin: ShopifyAdmin, id: string) {
  const { product } = getProductData.parse(
    await admin.graphql(GET_PRODUCT, { id: `gid://shopify/Product/${id}` }),
  )
  if (!product) throw new RelevoError('product_not_found', `No product ${id} in the store`, { status: 404 })
  const imageUrl = product.featuredMedia?.preview?.image?.url
  if (!imageUrl) {
    throw new RelevoError('product_without_image', 'This product has no picture', {
      status: 404,
      hint: 'Send its link alone',
    })
  }
  return { handle: product.handle, imageUrl }
}
