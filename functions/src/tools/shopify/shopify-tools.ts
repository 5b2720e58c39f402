/**
 * @module
 * The store tools the model may call: search_products, get_product, order_status,
 * create_checkout_link. Results are trimmed to what a WhatsApp answer needs.
 */
import { z } from 'zod'
import type { Tool } from '../types.ts'
import type { ShopifyAdmin } from './admin-client.ts'
import { summarizeOrder, verifyOrderOwner } from './order-summary.ts'
import {
  CREATE_DRAFT,
  createDraftData,
  GET_PRODUCT,
  getProductData,
  ORDER_BY_NAME,
  orderByNameData,
  quoteSearch,
  SEARCH_PRODUCTS,
  type ShopifyProduct,
  searchProductsData,
} from './queries.ts'

export interface ShopifyToolsOptions {
  admin: ShopifyAdmin
  /** The WhatsApp customer's phone, the first proof that an order is theirs. */
  customerPhone: string | null
  checkout: 'cart' | 'draft_order'
  /** Every product image URL the tools returned this run: the only ones show_product_image may send. */
  offeredImages?: Set<string>
}

const numericId = (gid: string) => gid.split('/').pop() ?? gid
const toGid = (kind: string, id: string) =>
  id.startsWith('gid://') ? id : `gid://shopify/${kind}/${numericId(id)}`

export function productSummary(shop: string, p: ShopifyProduct, offeredImages?: Set<string>) {
  const imageUrl = p.featuredMedia?.preview?.image?.url ?? null
  if (imageUrl) offeredImages?.add(imageUrl)
  return {
    id: p.id,
    title: p.title,
    url: p.onlineStoreUrl ?? `https://${shop}/products/${p.handle}`,
    image_url: imageUrl,
    price: p.priceRangeV2.minVariantPrice,
    maxPrice: p.priceRangeV2.maxVariantPrice,
    available: p.variants.nodes.some((v) => v.availableForSale),
    variants: p.variants.nodes.map((v) => ({
      id: v.id,
      title: v.title,
      price: v.price,
      available: v.availableForSale,
      inventory: v.inventoryQuantity,
    })),
  }
}

const searchArgs = z.object({
  query: z.string().trim().min(1).max(200),
  limit: z.number().int().min(1).max(10).optional(),
})
const productArgs = z.object({ product_id: z.string().min(1).max(100) })
const orderArgs = z.object({
  order_number: z.string().trim().min(1).max(40),
  email: z.string().trim().max(200).nullish(),
})
const checkoutArgs = z.object({
  items: z
    .array(z.object({ variant_id: z.string().min(1).max(100), quantity: z.number().int().min(1).max(99) }))
    .min(1)
    .max(20),
})

export function shopifyTools(options: ShopifyToolsOptions): Tool[] {
  const { admin } = options
  return [
    {
      name: 'search_products',
      description:
        'Search the store catalog. Returns products with price, availability, variants, link and image_url.',
      parameters: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'Words the customer used' },
          limit: { type: 'integer' },
        },
        required: ['query'],
        additionalProperties: false,
      },
      async run(input) {
        const args = searchArgs.parse(input)
        const data = searchProductsData.parse(
          await admin.graphql(SEARCH_PRODUCTS, {
            q: `${quoteSearch(args.query)} status:active`,
            first: args.limit ?? 5,
          }),
        )
        return {
          result: {
            products: data.products.nodes.map((p) => productSummary(admin.shop, p, options.offeredImages)),
          },
        }
      },
    },
    {
      name: 'get_product',
      description: 'Details of one product by id (from search_products): description, variants, stock, link.',
      parameters: {
        type: 'object',
        properties: { product_id: { type: 'string' } },
        required: ['product_id'],
        additionalProperties: false,
      },
      async run(input) {
        const args = productArgs.parse(input)
        const data = getProductData.parse(
          await admin.graphql(GET_PRODUCT, { id: toGid('Product', args.product_id) }),
        )
        if (!data.product) return { result: { found: false } }
        return {
          result: {
            found: true,
            ...productSummary(admin.shop, data.product, options.offeredImages),
            description: data.product.description,
          },
        }
      },
    },
    {
      name: 'order_status',
      description:
        'Status, fulfillment and tracking of an order by its number (e.g. 1001). Details are only given when the ' +
        "order belongs to this WhatsApp number or the email the customer gives; otherwise ask for the order's email.",
      parameters: {
        type: 'object',
        properties: {
          order_number: { type: 'string' },
          email: { type: ['string', 'null'], description: 'Email the customer says they used, if any' },
        },
        required: ['order_number', 'email'],
        additionalProperties: false,
      },
      async run(input) {
        const args = orderArgs.parse(input)
        const name = `#${args.order_number.replace(/^#/, '')}`
        const data = orderByNameData.parse(
          await admin.graphql(ORDER_BY_NAME, { q: `name:${quoteSearch(name)}` }),
        )
        const order = data.orders.nodes[0]
        if (!order) return { result: { found: false, order_number: name } }
        if (!verifyOrderOwner(order, { phone: options.customerPhone, email: args.email ?? null })) {
          return {
            result: {
              found: true,
              verified: false,
              instruction: 'Do not reveal order details. Ask for the email used for the order.',
            },
          }
        }
        return { result: { found: true, verified: true, ...summarizeOrder(order) } }
      },
    },
    {
      name: 'create_checkout_link',
      description: 'A checkout link for variants (ids from search_products) and quantities.',
      parameters: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: { variant_id: { type: 'string' }, quantity: { type: 'integer' } },
              required: ['variant_id', 'quantity'],
              additionalProperties: false,
            },
          },
        },
        required: ['items'],
        additionalProperties: false,
      },
      async run(input) {
        const args = checkoutArgs.parse(input)
        if (options.checkout === 'cart') {
          // Cart permalink: no API call and no write scope; opens checkout directly.
          const lines = args.items.map((i) => `${numericId(i.variant_id)}:${i.quantity}`).join(',')
          return { result: { url: `https://${admin.shop}/cart/${lines}`, kind: 'cart_permalink' } }
        }
        const data = createDraftData.parse(
          await admin.graphql(CREATE_DRAFT, {
            input: {
              lineItems: args.items.map((i) => ({
                variantId: toGid('ProductVariant', i.variant_id),
                quantity: i.quantity,
              })),
              note: 'via WhatsApp (Relevo)',
              tags: ['whatsapp'],
            },
          }),
        )
        const draft = data.draftOrderCreate.draftOrder
        if (!draft?.invoiceUrl) {
          return {
            result: { error: data.draftOrderCreate.userErrors.map((e) => e.message).join('; ') || 'no link' },
          }
        }
        return {
          result: {
            url: draft.invoiceUrl,
            kind: 'draft_order_invoice',
            total: draft.totalPriceSet.shopMoney,
          },
        }
      },
    },
  ]
}
