/**
 * The customer panel's reads: the desk's own facts about the customer (customer_profile, under
 * RLS), and the store's through the functions app with the agent's JWT (ADR 098): the Shopify
 * customer with the chat's phone and their newest orders, and the product search of the picker.
 */
import { callFunctions } from '../functions-api.ts'
import type { OutgoingMedia } from '../media/outgoing-media.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'

export interface Money {
  amount: string
  currencyCode: string
}

export interface ProfileNote {
  id: string
  conversation_id: string
  agent_id: string | null
  body: string
  created_at: string
}

export interface CustomerProfile {
  customer_name: string | null
  customer_phone: string | null
  first_seen: string
  conversations: number
  customer_messages: number
  notes: ProfileNote[]
}

/** An order as the functions summarise it (order-summary.ts). */
export interface OrderSummary {
  order_number: string
  created_at: string
  cancelled: boolean
  payment: string | null
  fulfillment: string
  total: Money
  status_url: string | null
  shipments: {
    status: string
    estimated_delivery: string | null
    delivered_at: string | null
    tracking: { company: string | null; number: string | null; url: string | null }[]
  }[]
}

export interface StoreCustomer {
  name: string
  email: string | null
  phone: string | null
  orders_count: number
  amount_spent: Money
  admin_url: string
  orders: OrderSummary[]
}

export interface ProductHit {
  id: string
  title: string
  url: string
  image_url: string | null
  price: Money
  available: boolean
}

export function createCustomerApi(db: Db) {
  return {
    profile: async (conversationId: string): Promise<CustomerProfile | null> => {
      const rows = await result(db.rpc('customer_profile', { p_conversation_id: conversationId }))
      return (rows[0] as unknown as CustomerProfile | undefined) ?? null
    },
    storeCustomer: (conversationId: string, email?: string) => {
      const query = new URLSearchParams({ conversation_id: conversationId, ...(email ? { email } : {}) })
      return callFunctions<{ customer: StoreCustomer | null }>(db, 'GET', `/api/shopify/customer?${query}`)
    },
    products: (q: string) =>
      callFunctions<{ products: ProductHit[] }>(
        db,
        'GET',
        `/api/shopify/products?${new URLSearchParams({ q })}`,
      ),
    /** The product's picture stored in the tenant's outgoing/ folder, for send_agent_message (ADR 124). */
    productImage: (productId: string) =>
      callFunctions<{ media: OutgoingMedia }>(
        db,
        'POST',
        `/api/shopify/products/${encodeURIComponent(productId.split('/').at(-1) ?? productId)}/image`,
      ),
  }
}

export type CustomerApi = ReturnType<typeof createCustomerApi>

/** The message a picked product becomes: its name, its price and its link (its picture's caption). */
export function productMessage(p: ProductHit, formatMoney: (m: Money) => string): string {
  return `${p.title} — ${formatMoney(p.price)}\n${p.url}`
}
