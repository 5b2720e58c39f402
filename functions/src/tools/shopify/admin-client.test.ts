import { createShopifyDouble } from '@relevo/testing/shopify-double'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { describe, expect, it } from 'vitest'
import { createShopifyAdmin } from './admin-client.ts'
import { SEARCH_PRODUCTS, searchProductsData } from './queries.ts'

describe('Shopify Admin client', () => {
  it('retries THROTTLED answers after the wait the restore rate implies', async () => {
    const double = createShopifyDouble({ throttle: 2 })
    setAbstractFetchFunc(double.fetch)
    const waits: number[] = []
    const admin = createShopifyAdmin({
      shop: 'demo-store.myshopify.com',
      credentials: { kind: 'admin_token', accessToken: 'shpat_test' },
      apiVersion: '2026-10',
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    const data = searchProductsData.parse(await admin.graphql(SEARCH_PRODUCTS, { q: '"taza"', first: 5 }))
    expect(data.products.nodes.map((p) => p.title)).toEqual(['Taza Azul Talavera'])
    expect(double.calls).toHaveLength(3)
    // requestedQueryCost 12, currentlyAvailable 0, restoreRate 100/s → 120 ms
    expect(waits).toEqual([120, 120])
  })

  it('gives up on THROTTLED after its retries with a clear code', async () => {
    const double = createShopifyDouble({ throttle: 10 })
    setAbstractFetchFunc(double.fetch)
    const admin = createShopifyAdmin({
      shop: 'demo-store.myshopify.com',
      credentials: { kind: 'admin_token', accessToken: 'shpat_test' },
      apiVersion: '2026-10',
      sleep: async () => {},
    })
    await expect(admin.graphql(SEARCH_PRODUCTS, { q: 'x', first: 1 })).rejects.toMatchObject({
      code: 'shopify_throttled',
    })
    expect(double.calls).toHaveLength(4)
  })

  it('gets a client-credentials token once and reuses it until it nears expiry', async () => {
    const double = createShopifyDouble({ tokens: [], client: { id: 'client-1', secret: 'secret-1' } })
    setAbstractFetchFunc(double.fetch)
    const admin = createShopifyAdmin({
      shop: 'cc-store.myshopify.com',
      credentials: { kind: 'client_credentials', clientId: 'client-1', clientSecret: 'secret-1' },
      apiVersion: '2026-10',
    })
    await admin.graphql(SEARCH_PRODUCTS, { q: '"taza"', first: 1 })
    await admin.graphql(SEARCH_PRODUCTS, { q: '"camiseta"', first: 1 })
    expect(double.issuedTokens).toEqual(['shpca_1'])
    expect(double.calls).toHaveLength(2)
  })

  it('reports a wrong token as a request failure', async () => {
    setAbstractFetchFunc(createShopifyDouble().fetch)
    const admin = createShopifyAdmin({
      shop: 'demo-store.myshopify.com',
      credentials: { kind: 'admin_token', accessToken: 'shpat_wrong' },
      apiVersion: '2026-10',
    })
    await expect(admin.graphql(SEARCH_PRODUCTS, { q: 'x', first: 1 })).rejects.toMatchObject({
      code: 'shopify_request_failed',
    })
  })
})
