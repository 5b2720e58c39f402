/**
 * @module
 * Which Shopify credentials serve a tenant: its own Admin token (a tenant secret in Vault), else the
 * deployment's client-credentials app, else the deployment's Admin token. The deployment's
 * credentials are shared by every tenant, so they serve only a shop the operator mapped to that
 * tenant in SHOPIFY_SHARED_SHOPS (`tenant_id:shop`): otherwise an admin could point
 * `shopify_shop_domain` at another store and read its orders. No shop domain, or no credential
 * for it, means the store is not configured and the shop tools are not offered.
 */
import type { Config } from '../../config/config.ts'
import type { TenantSecrets } from '../../pipeline/types.ts'
import { createShopifyAdmin, type ShopifyAdmin, type ShopifyCredentials } from './admin-client.ts'

function deploymentCredentials(config: Config): ShopifyCredentials | null {
  if (config.SHOPIFY_CLIENT_ID && config.SHOPIFY_CLIENT_SECRET) {
    return {
      kind: 'client_credentials',
      clientId: config.SHOPIFY_CLIENT_ID,
      clientSecret: config.SHOPIFY_CLIENT_SECRET,
    }
  }
  if (config.SHOPIFY_ADMIN_TOKEN) return { kind: 'admin_token', accessToken: config.SHOPIFY_ADMIN_TOKEN }
  return null
}

export function shopifyCredentials(
  tenantId: string,
  shop: string,
  secrets: TenantSecrets,
  config: Config,
): ShopifyCredentials | null {
  if (secrets.shopifyAccessToken) return { kind: 'admin_token', accessToken: secrets.shopifyAccessToken }
  const mapped = config.SHOPIFY_SHARED_SHOPS.includes(`${tenantId}:${shop}`.toLowerCase())
  return mapped ? deploymentCredentials(config) : null
}

export function shopifyAdminFor(
  tenantId: string,
  shop: string | null,
  secrets: TenantSecrets,
  config: Config,
): ShopifyAdmin | null {
  if (!shop) return null
  const credentials = shopifyCredentials(tenantId, shop, secrets, config)
  if (!credentials) return null
  return createShopifyAdmin({
    shop,
    credentials,
    apiVersion: config.SHOPIFY_API_VERSION,
    ...(config.SHOPIFY_ADMIN_URL ? { adminUrl: config.SHOPIFY_ADMIN_URL } : {}),
  })
}
