/**
 * @module
 * Admin GraphQL documents (API 2026-10; field names from Shopify's Admin GraphQL reference) and zod shapes
 * of their `data`, so a changed API version fails loudly here instead of misleading the model.
 */
import { z } from 'zod'

const money = z.object({ amount: z.string(), currencyCode: z.string() })

export const variantShape = z.object({
  id: z.string(),
  title: z.string(),
  sku: z.string().nullable(),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  availableForSale: z.boolean(),
  inventoryQuantity: z.number().nullable(),
  selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })),
})

export const productShape = z.object({
  id: z.string(),
  title: z.string(),
  handle: z.string(),
  status: z.string(),
  totalInventory: z.number().nullable(),
  onlineStoreUrl: z.string().nullable(),
  // The product's main picture (Media.preview.image); a product without one has null.
  featuredMedia: z
    .object({ preview: z.object({ image: z.object({ url: z.string() }).nullable() }).nullable() })
    .nullable(),
  priceRangeV2: z.object({ minVariantPrice: money, maxVariantPrice: money }),
  variants: z.object({ nodes: z.array(variantShape) }),
})
export type ShopifyProduct = z.output<typeof productShape>

const PRODUCT_FIELDS = `id title handle status totalInventory onlineStoreUrl
  featuredMedia { preview { image { url } } }
  priceRangeV2 { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
  variants(first: 10) { nodes { id title sku price compareAtPrice availableForSale inventoryQuantity
    selectedOptions { name value } } }`

export const SEARCH_PRODUCTS = `query SearchProducts($q: String!, $first: Int!) {
  products(first: $first, query: $q, sortKey: RELEVANCE) { nodes { ${PRODUCT_FIELDS} } } }`
export const searchProductsData = z.object({ products: z.object({ nodes: z.array(productShape) }) })

export const GET_PRODUCT = `query GetProduct($id: ID!) {
  product(id: $id) { ${PRODUCT_FIELDS} description(truncateAt: 600) } }`
export const getProductData = z.object({
  product: productShape.extend({ description: z.string() }).nullable(),
})

const ORDER_FIELDS = `id name createdAt cancelledAt statusPageUrl email phone
    displayFinancialStatus displayFulfillmentStatus
    customer { defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
    totalPriceSet { shopMoney { amount currencyCode } }
    fulfillments(first: 5) { status displayStatus estimatedDeliveryAt deliveredAt
      trackingInfo(first: 5) { company number url } }`

export const ORDER_BY_NAME = `query OrderByName($q: String!) {
  orders(first: 1, query: $q) { nodes { ${ORDER_FIELDS} } } }`
export const orderShape = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  cancelledAt: z.string().nullable(),
  statusPageUrl: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  displayFinancialStatus: z.string().nullable(),
  displayFulfillmentStatus: z.string(),
  customer: z
    .object({
      defaultEmailAddress: z.object({ emailAddress: z.string().nullable() }).nullable(),
      defaultPhoneNumber: z.object({ phoneNumber: z.string() }).nullable(),
    })
    .nullable(),
  totalPriceSet: z.object({ shopMoney: money }),
  fulfillments: z.array(
    z.object({
      status: z.string(),
      displayStatus: z.string().nullable(),
      estimatedDeliveryAt: z.string().nullable(),
      deliveredAt: z.string().nullable(),
      trackingInfo: z.array(
        z.object({
          company: z.string().nullable(),
          number: z.string().nullable(),
          url: z.string().nullable(),
        }),
      ),
    }),
  ),
})
export type ShopifyOrder = z.output<typeof orderShape>
export const orderByNameData = z.object({ orders: z.object({ nodes: z.array(orderShape) }) })

/**
 * The store's customer with a phone or an email (customers' search syntax: `phone:"…" OR email:"…"`)
 * and their newest orders: the desk's customer panel. numberOfOrders is an UnsignedInt64, a string.
 */
export const CUSTOMER_BY_CONTACT = `query CustomerByContact($q: String!) {
  customers(first: 1, query: $q) { nodes { id displayName numberOfOrders
    defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }
    amountSpent { amount currencyCode }
    orders(first: 5, sortKey: CREATED_AT, reverse: true) { nodes { ${ORDER_FIELDS} } } } } }`
export const customerShape = z.object({
  id: z.string(),
  displayName: z.string(),
  numberOfOrders: z.string(),
  defaultEmailAddress: z.object({ emailAddress: z.string().nullable() }).nullable(),
  defaultPhoneNumber: z.object({ phoneNumber: z.string() }).nullable(),
  amountSpent: money,
  orders: z.object({ nodes: z.array(orderShape) }),
})
export const customerByContactData = z.object({ customers: z.object({ nodes: z.array(customerShape) }) })

export const CREATE_DRAFT = `mutation CreateDraft($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) { draftOrder { id name invoiceUrl totalPriceSet { shopMoney { amount currencyCode } } }
    userErrors { field message } } }`
export const createDraftData = z.object({
  draftOrderCreate: z.object({
    draftOrder: z
      .object({
        id: z.string(),
        name: z.string(),
        invoiceUrl: z.string().nullable(),
        totalPriceSet: z.object({ shopMoney: money }),
      })
      .nullable(),
    userErrors: z.array(z.object({ field: z.array(z.string()).nullable(), message: z.string() })),
  }),
})

/** Shopify search syntax: quote the user's words so `:` or `OR` in them cannot change the query. */
export function quoteSearch(text: string): string {
  return `"${text.replace(/["\\]/g, ' ').trim()}"`
}

/** The store's own name and domain: the Settings screen's "Test" of a Shopify connection. */
export const SHOP_INFO = `query ShopInfo { shop { name myshopifyDomain } }`
export const shopInfoData = z.object({ shop: z.object({ name: z.string(), myshopifyDomain: z.string() }) })
