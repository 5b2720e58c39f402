/**
 * @module
 * Shopify Admin GraphQL through @shopify/shopify-api's Workers adapter. Two credentials:
 * a long-lived `shpat_` Admin token (legacy custom apps), or the client-credentials grant that new
 * store apps must use since 2026-01-01, whose 24 h token we cache per isolate and renew early.
 * THROTTLED comes back as HTTP 200 with an error and the library does not retry it: we do, waiting
 * what the cost's restore rate says (`extensions.cost.throttleStatus`).
 */
import '@shopify/shopify-api/adapters/cf-worker'
import {
  type ApiVersion,
  GraphqlQueryError,
  LogSeverity,
  type Shopify,
  shopifyApi,
} from '@shopify/shopify-api'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { RelevoError } from '../../shared/errors.ts'
import { withRetry } from '../../shared/retry.ts'

export interface ShopifyAdmin {
  /** The shop's myshopify domain, e.g. demo-store.myshopify.com. */
  shop: string
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>
}

export type ShopifyCredentials =
  | { kind: 'admin_token'; accessToken: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }

export interface ShopifyAdminOptions {
  shop: string
  credentials: ShopifyCredentials
  apiVersion: string
  sleep?: (ms: number) => Promise<void>
  /** Where the shop's requests go instead of https://<shop> (a double on loopback; SHOPIFY_ADMIN_URL). */
  adminUrl?: string
}

export class ShopifyError extends RelevoError {}

const apis = new Map<string, Shopify>()
const tokens = new Map<string, { accessToken: string; expiresAt: number }>()
/** Renew this long before Shopify's expiry so that a run never starts with a dying token. */
const RENEW_MARGIN_MS = 10 * 60 * 1000

function api(options: ShopifyAdminOptions): Shopify {
  const creds = options.credentials
  const key = `${options.apiVersion}|${creds.kind}|${creds.kind === 'admin_token' ? creds.accessToken : creds.clientId}`
  let shopify = apis.get(key)
  if (!shopify) {
    shopify = shopifyApi({
      apiVersion: options.apiVersion as ApiVersion,
      // The secret signs webhooks/OAuth only; an Admin-token app never uses it, but config requires one.
      apiSecretKey: creds.kind === 'client_credentials' ? creds.clientSecret : 'unused-with-admin-token',
      ...(creds.kind === 'client_credentials'
        ? { apiKey: creds.clientId, isCustomStoreApp: false }
        : { adminApiAccessToken: creds.accessToken, isCustomStoreApp: true }),
      isEmbeddedApp: false,
      hostName: 'localhost',
      logger: { level: LogSeverity.Error, log: async () => {} },
    })
    apis.set(key, shopify)
  }
  return shopify
}

async function session(shopify: Shopify, options: ShopifyAdminOptions) {
  if (options.credentials.kind === 'admin_token') return shopify.session.customAppSession(options.shop)
  const cacheKey = `${options.credentials.clientId}|${options.shop}`
  const cached = tokens.get(cacheKey)
  const base = shopify.session.customAppSession(options.shop)
  if (cached && cached.expiresAt - RENEW_MARGIN_MS > Date.now()) {
    base.accessToken = cached.accessToken
    return base
  }
  const { session: fresh } = await shopify.auth.clientCredentials({ shop: options.shop })
  if (!fresh.accessToken) throw new ShopifyError('shopify_auth_failed', 'Shopify returned no access token')
  tokens.set(cacheKey, {
    accessToken: fresh.accessToken,
    expiresAt: fresh.expires?.getTime() ?? Date.now() + 24 * 3600 * 1000,
  })
  return fresh
}

interface ThrottleStatus {
  currentlyAvailable?: number
  restoreRate?: number
}

function throttleDelay(error: unknown): number | undefined {
  if (!(error instanceof GraphqlQueryError)) return undefined
  const body = error.body as {
    extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } }
  }
  const cost = body?.extensions?.cost
  const status = cost?.throttleStatus
  if (!status?.restoreRate) return undefined
  const missing = (cost?.requestedQueryCost ?? 100) - (status.currentlyAvailable ?? 0)
  return Math.max(0, Math.ceil((missing / status.restoreRate) * 1000))
}

function isThrottled(error: unknown): boolean {
  if (!(error instanceof GraphqlQueryError)) return false
  const errors = (error.body as { errors?: { graphQLErrors?: { extensions?: { code?: string } }[] } })?.errors
  return errors?.graphQLErrors?.some((e) => e.extensions?.code === 'THROTTLED') ?? false
}

/**
 * The library sends every request through one fetch per isolate and forces https://<shop>: a
 * configured double gets them by path instead. The setting is the deployment's, so one override
 * serves every shop of the isolate.
 */
function redirectShopifyTo(base: string): void {
  setAbstractFetchFunc((input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    return fetch(`${base}${url.pathname}${url.search}`, input instanceof Request ? input : init)
  })
}

export function createShopifyAdmin(options: ShopifyAdminOptions): ShopifyAdmin {
  if (options.adminUrl) redirectShopifyTo(options.adminUrl)
  const shopify = api(options)
  return {
    shop: options.shop,
    async graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const client = new shopify.clients.Graphql({ session: await session(shopify, options) })
      try {
        const response = await withRetry(() => client.request(query, { variables, retries: 2 }), {
          retries: 3,
          baseDelayMs: 500,
          maxDelayMs: 4_000,
          isRetryable: isThrottled,
          delayHint: throttleDelay,
          ...(options.sleep ? { sleep: options.sleep } : {}),
        })
        return response.data as T
      } catch (error) {
        const code = isThrottled(error) ? 'shopify_throttled' : 'shopify_request_failed'
        throw new ShopifyError(
          code,
          `Shopify Admin API: ${error instanceof Error ? error.message : 'failed'}`,
          {
            status: 502,
            cause: error,
            hint: 'Check the shop domain, the token and its scopes',
          },
        )
      }
    },
  }
}
