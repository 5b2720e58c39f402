import { describe, expect, it } from 'vitest'
import { readConfig } from '../../config/config.ts'
import { shopifyCredentials } from './shopify-for-tenant.ts'

const TENANT = '00000000-0000-4000-8000-00000000000a'
const OTHER = '00000000-0000-4000-8000-00000000000b'
const none = { openaiApiKey: null, shopifyAccessToken: null, aiHttpSecret: null, aiHttpHeaderSecret: null }
const config = (env: Record<string, string>) => readConfig({ SUPABASE_URL: 'http://127.0.0.1:54321', ...env })

describe('shopifyCredentials', () => {
  const shared = config({
    SHOPIFY_ADMIN_TOKEN: 'shpat_deployment',
    SHOPIFY_SHARED_SHOPS: `${TENANT}:demo-store.myshopify.com`,
  })

  it("serves the deployment's credentials only for the shop the operator mapped to that tenant", () => {
    expect(shopifyCredentials(TENANT, 'demo-store.myshopify.com', none, shared)).toEqual({
      kind: 'admin_token',
      accessToken: 'shpat_deployment',
    })
    expect(shopifyCredentials(TENANT, 'Demo-Store.myshopify.com', none, shared)).not.toBeNull()
    // Another store's domain, or another tenant naming the mapped store: nothing.
    expect(shopifyCredentials(TENANT, 'victim.myshopify.com', none, shared)).toBeNull()
    expect(shopifyCredentials(OTHER, 'demo-store.myshopify.com', none, shared)).toBeNull()
    // Without any mapping the shared credentials serve nobody.
    const unmapped = config({ SHOPIFY_CLIENT_ID: 'id', SHOPIFY_CLIENT_SECRET: 'secret' })
    expect(shopifyCredentials(TENANT, 'demo-store.myshopify.com', none, unmapped)).toBeNull()
  })

  it("uses a tenant's own token for its own domain", () => {
    const own = { ...none, shopifyAccessToken: 'shpat_tenant' }
    expect(shopifyCredentials(OTHER, 'other.myshopify.com', own, shared)).toEqual({
      kind: 'admin_token',
      accessToken: 'shpat_tenant',
    })
  })

  it('refuses a malformed SHOPIFY_SHARED_SHOPS at start', () => {
    expect(() => config({ SHOPIFY_SHARED_SHOPS: 'demo-store.myshopify.com' })).toThrow(/SHOPIFY_SHARED_SHOPS/)
  })
})
