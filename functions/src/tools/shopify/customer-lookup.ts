/**
 * @module
 * The store's customer behind a WhatsApp chat, for the desk's customer panel: searched by the
 * chat's phone (and an email the agent typed), then checked the way order-summary checks an order's
 * owner, because Shopify's search matches loosely and the panel must not show a stranger's orders.
 */
import type { ShopifyAdmin } from './admin-client.ts'
import { sameEmail, samePhone, summarizeOrder } from './order-summary.ts'
import { CUSTOMER_BY_CONTACT, customerByContactData, quoteSearch } from './queries.ts'

export interface Contact {
  phone: string | null
  email: string | null
}

/**
 * WhatsApp ids of Mexican mobiles carry a 1 after the country code (52 1 55…) that stores
 * usually drop: search both spellings.
 */
function phoneSpellings(phone: string): string[] {
  const digits = phone.replace(/\D/g, '')
  if (digits.length < 8) return []
  const spellings = [`+${digits}`]
  if (/^521\d{10}$/.test(digits)) spellings.push(`+52${digits.slice(3)}`)
  return spellings
}

/** Shopify's customer search: `phone:"+52…" OR email:"…"`; null when there is nothing to search by. */
export function customerQuery(who: Contact): string | null {
  const terms = [
    ...(who.phone ? phoneSpellings(who.phone).map((p) => `phone:${quoteSearch(p)}`) : []),
    ...(who.email ? [`email:${quoteSearch(who.email)}`] : []),
  ]
  return terms.length ? terms.join(' OR ') : null
}

export async function findCustomer(admin: ShopifyAdmin, who: Contact) {
  const q = customerQuery(who)
  if (!q) return null
  const data = customerByContactData.parse(await admin.graphql(CUSTOMER_BY_CONTACT, { q }))
  const found = data.customers.nodes.find(
    (c) =>
      samePhone(c.defaultPhoneNumber?.phoneNumber, who.phone) ||
      sameEmail(c.defaultEmailAddress?.emailAddress, who.email),
  )
  if (!found) return null
  return {
    name: found.displayName,
    email: found.defaultEmailAddress?.emailAddress ?? null,
    phone: found.defaultPhoneNumber?.phoneNumber ?? null,
    orders_count: Number(found.numberOfOrders),
    amount_spent: found.amountSpent,
    // The customer's page in the store's admin (the id's number), for the agent, never the customer.
    admin_url: `https://${admin.shop}/admin/customers/${found.id.split('/').at(-1)}`,
    orders: found.orders.nodes.map(summarizeOrder),
  }
}
