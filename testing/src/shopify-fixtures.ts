/**
 * @module
 * Admin GraphQL fixtures with the real shapes (Product, ProductVariant, Order, Fulfillment as in
 * the 2026-10 Admin API): what the Shopify double answers.
 */

const money = (amount: string) => ({ amount, currencyCode: 'MXN' })

/** Shopify's CDN, where product media live (Media.preview.image.url). */
export const SHOPIFY_CDN = 'https://cdn.shopify.com'
/** The blue mug's picture: a real 2×2 PNG the double serves from its CDN path. */
export const productImage = {
  url: `${SHOPIFY_CDN}/s/files/1/0000/0001/files/taza-azul-talavera.png`,
  mimetype: 'image/png',
  base64:
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGOQCzgBRAwQCgAfTgTZ+vU86QAAAABJRU5ErkJggg==',
}

export const products = [
  {
    id: 'gid://shopify/Product/1001',
    title: 'Taza Azul Talavera',
    handle: 'taza-azul-talavera',
    status: 'ACTIVE',
    totalInventory: 12,
    onlineStoreUrl: 'https://demo-store.myshopify.com/products/taza-azul-talavera',
    featuredMedia: { preview: { image: { url: productImage.url } } },
    description: 'Taza de cerámica pintada a mano, 350 ml.',
    priceRangeV2: { minVariantPrice: money('249.00'), maxVariantPrice: money('249.00') },
    variants: {
      nodes: [
        {
          id: 'gid://shopify/ProductVariant/40001',
          title: 'Default Title',
          sku: 'TAZA-AZ',
          price: '249.00',
          compareAtPrice: '299.00',
          availableForSale: true,
          inventoryQuantity: 12,
          selectedOptions: [{ name: 'Title', value: 'Default Title' }],
        },
      ],
    },
  },
  {
    id: 'gid://shopify/Product/1002',
    title: 'Camiseta Roja',
    handle: 'camiseta-roja',
    status: 'ACTIVE',
    totalInventory: 0,
    onlineStoreUrl: null,
    featuredMedia: null,
    description: 'Algodón orgánico.',
    priceRangeV2: { minVariantPrice: money('399.00'), maxVariantPrice: money('429.00') },
    variants: {
      nodes: [
        {
          id: 'gid://shopify/ProductVariant/40002',
          title: 'M',
          sku: 'CAM-R-M',
          price: '399.00',
          compareAtPrice: null,
          availableForSale: false,
          inventoryQuantity: 0,
          selectedOptions: [{ name: 'Talla', value: 'M' }],
        },
      ],
    },
  },
]

export const orders = [
  {
    id: 'gid://shopify/Order/5001',
    name: '#1001',
    createdAt: '2026-11-20T17:02:11Z',
    cancelledAt: null,
    statusPageUrl: 'https://demo-store.myshopify.com/73612345/orders/abc123/authenticate?key=xyz',
    email: 'ana.cliente@example.com',
    phone: '+52 55 1234 5678',
    displayFinancialStatus: 'PAID',
    displayFulfillmentStatus: 'FULFILLED',
    customer: {
      defaultEmailAddress: { emailAddress: 'ana.cliente@example.com' },
      defaultPhoneNumber: { phoneNumber: '+525512345678' },
    },
    totalPriceSet: { shopMoney: money('498.00') },
    fulfillments: [
      {
        status: 'SUCCESS',
        displayStatus: 'IN_TRANSIT',
        estimatedDeliveryAt: '2026-11-27T00:00:00Z',
        deliveredAt: null,
        trackingInfo: [
          { company: 'Estafeta', number: 'EST123456789MX', url: 'https://rastreo.example/EST123456789MX' },
        ],
      },
    ],
  },
  // A second, newer order of the same customer: paid, waiting to be packed.
  {
    id: 'gid://shopify/Order/5002',
    name: '#1002',
    createdAt: '2026-11-28T09:41:00Z',
    cancelledAt: null,
    statusPageUrl: 'https://demo-store.myshopify.com/73612345/orders/def456/authenticate?key=uvw',
    email: 'ana.cliente@example.com',
    phone: '+52 55 1234 5678',
    displayFinancialStatus: 'PAID',
    displayFulfillmentStatus: 'UNFULFILLED',
    customer: {
      defaultEmailAddress: { emailAddress: 'ana.cliente@example.com' },
      defaultPhoneNumber: { phoneNumber: '+525512345678' },
    },
    totalPriceSet: { shopMoney: money('249.00') },
    fulfillments: [],
  },
]

/** Customers as the Admin API's Customer (numberOfOrders is an UnsignedInt64: a string). */
export const customers = [
  {
    id: 'gid://shopify/Customer/7001',
    displayName: 'Ana Cliente',
    numberOfOrders: '2',
    defaultEmailAddress: { emailAddress: 'ana.cliente@example.com' },
    defaultPhoneNumber: { phoneNumber: '+525512345678' },
    amountSpent: money('747.00'),
    /** Their orders, newest first (orders(sortKey: CREATED_AT, reverse: true)). */
    orderNames: ['#1002', '#1001'],
  },
]
