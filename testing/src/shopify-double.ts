/**
 * @module
 * A Shopify Admin API double as a fetch function: POST /admin/api/<version>/graphql.json answers
 * {data, extensions.cost} like Shopify (THROTTLED as HTTP 200 with errors[].extensions.code),
 * POST /admin/oauth/access_token runs the client-credentials grant (24 h tokens), and GET on
 * cdn.shopify.com (or /s/files/ on this origin, when served on loopback) serves the products'
 * pictures (`imageRequests` counts them).
 */
import { customers, orders, productImage, products, SHOPIFY_CDN } from './shopify-fixtures.ts'

export interface ShopifyDoubleOptions {
  tokens?: string[]
  client?: { id: string; secret: string }
  /** Answer THROTTLED this many times first. */
  throttle?: number
}

export interface ShopifyDouble {
  fetch: typeof fetch
  handle(request: Request): Promise<Response>
  calls: { operation: string; variables: Record<string, unknown> }[]
  issuedTokens: string[]
  /** URLs of the product pictures fetched from the CDN. */
  imageRequests: string[]
}

/** Where Shopify's CDN keeps a store's files. */
const CDN_FILES = '/s/files/'

const cost = (available: number) => ({
  requestedQueryCost: 12,
  actualQueryCost: available > 0 ? 8 : null,
  throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 },
})

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

function words(q: string): string[] {
  return (q.match(/"([^"]*)"/)?.[1] ?? q.replace(/\w+:\S+/g, '')).toLowerCase().split(/\s+/).filter(Boolean)
}

/** Customers matching a `phone:"…" OR email:"…"` search: phones by their digits, emails by their letters. */
function customerSearch(q: string) {
  const terms = [...q.matchAll(/(phone|email):"([^"]*)"/g)].map(([, field, value]) => ({ field, value }))
  const digits = (s: string | null | undefined) => (s ?? '').replace(/\D/g, '')
  return customers.filter((c) =>
    terms.some((t) =>
      t.field === 'phone'
        ? digits(c.defaultPhoneNumber.phoneNumber) === digits(t.value)
        : c.defaultEmailAddress.emailAddress.toLowerCase() === (t.value ?? '').toLowerCase(),
    ),
  )
}

function answer(operation: string, variables: Record<string, unknown>, shop: string): unknown {
  switch (operation) {
    case 'ShopInfo':
      return { shop: { name: 'Demo Store MX', myshopifyDomain: shop } }
    case 'SearchProducts': {
      const wanted = words(String(variables.q ?? ''))
      const found = products.filter((p) => wanted.some((w) => p.title.toLowerCase().includes(w)))
      return {
        products: { nodes: found.slice(0, Number(variables.first ?? 5)).map(({ description, ...p }) => p) },
      }
    }
    case 'GetProduct':
      return { product: products.find((p) => p.id === variables.id) ?? null }
    case 'OrderByName': {
      const name = String(variables.q ?? '').match(/#\d+/)?.[0]
      return { orders: { nodes: orders.filter((o) => o.name === name) } }
    }
    case 'CustomerByContact': {
      const found = customerSearch(String(variables.q ?? '')).slice(0, 1)
      return {
        customers: {
          nodes: found.map(({ orderNames, ...c }) => ({
            ...c,
            orders: {
              nodes: orderNames.flatMap((name) => orders.filter((o) => o.name === name)).slice(0, 5),
            },
          })),
        },
      }
    }
    case 'CreateDraft':
      return {
        draftOrderCreate: {
          draftOrder: {
            id: 'gid://shopify/DraftOrder/9001',
            name: '#D1',
            invoiceUrl: 'https://demo-store.myshopify.com/73612345/invoices/inv9001',
            totalPriceSet: { shopMoney: { amount: '249.00', currencyCode: 'MXN' } },
          },
          userErrors: [],
        },
      }
    default:
      return undefined
  }
}

export function createShopifyDouble(options: ShopifyDoubleOptions = {}): ShopifyDouble {
  const tokens = new Set(options.tokens ?? ['shpat_test'])
  const calls: ShopifyDouble['calls'] = []
  const issuedTokens: string[] = []
  const imageRequests: string[] = []
  let throttle = options.throttle ?? 0

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    // Served on loopback (SHOPIFY_API_URL), the CDN's paths come to this origin too.
    if (request.url.startsWith(`${SHOPIFY_CDN}/`) || path.startsWith(CDN_FILES)) {
      imageRequests.push(request.url)
      if (request.method !== 'GET' || path !== new URL(productImage.url).pathname)
        return new Response('Not Found', { status: 404 })
      const bytes = Uint8Array.from(atob(productImage.base64), (c) => c.charCodeAt(0))
      return new Response(bytes, {
        headers: { 'content-type': productImage.mimetype, 'content-length': String(bytes.byteLength) },
      })
    }
    if (request.method === 'POST' && path === '/admin/oauth/access_token') {
      const body = (await request.json()) as {
        client_id?: string
        client_secret?: string
        grant_type?: string
      }
      if (
        body.grant_type !== 'client_credentials' ||
        body.client_id !== options.client?.id ||
        body.client_secret !== options.client?.secret
      ) {
        return json({ error: 'invalid_client', error_description: 'Client authentication failed' }, 401)
      }
      const token = `shpca_${issuedTokens.length + 1}`
      issuedTokens.push(token)
      tokens.add(token)
      return json({
        access_token: token,
        scope: 'read_products,read_orders,write_draft_orders',
        expires_in: 86399,
      })
    }
    if (request.method !== 'POST' || !/^\/admin\/api\/[\w-]+\/graphql\.json$/.test(path)) {
      return json({ errors: 'Not Found' }, 404)
    }
    if (!tokens.has(request.headers.get('x-shopify-access-token') ?? '')) {
      return json(
        { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
        401,
      )
    }
    const { query, variables = {} } = (await request.json()) as {
      query: string
      variables?: Record<string, unknown>
    }
    const operation = query.match(/(?:query|mutation)\s+(\w+)/)?.[1] ?? 'anonymous'
    calls.push({ operation, variables })
    if (throttle > 0) {
      throttle--
      return json({
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: { cost: cost(0) },
      })
    }
    const data = answer(operation, variables, new URL(request.url).hostname)
    if (data === undefined) {
      return json({
        errors: [{ message: `Unknown operation ${operation}`, extensions: { code: 'undefinedField' } }],
      })
    }
    return json({ data, extensions: { cost: cost(1990) } })
  }
  return {
    handle,
    calls,
    issuedTokens,
    imageRequests,
    fetch: (input, init) => handle(new Request(input, init)),
  }
}
