/**
 * @module
 * Order details are customer PII (Shopify's protected customer data): reveal them on WhatsApp only
 * to the phone or email the order was placed with.
 */
import type { ShopifyOrder } from './queries.ts'

/** Compare the last 10 digits: WhatsApp ids carry country prefixes (and Mexico's extra 1) that stores often omit. */
export function samePhone(a: string | null | undefined, b: string | null | undefined): boolean {
  const da = (a ?? '').replace(/\D/g, '')
  const db = (b ?? '').replace(/\D/g, '')
  if (da.length < 8 || db.length < 8) return false
  const n = Math.min(10, da.length, db.length)
  return da.slice(-n) === db.slice(-n)
}

export const sameEmail = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase()

export function verifyOrderOwner(
  order: ShopifyOrder,
  who: { phone: string | null; email: string | null },
): boolean {
  const phones = [order.phone, order.customer?.defaultPhoneNumber?.phoneNumber]
  const emails = [order.email, order.customer?.defaultEmailAddress?.emailAddress]
  return phones.some((p) => samePhone(p, who.phone)) || emails.some((e) => sameEmail(e, who.email))
}

export function summarizeOrder(order: ShopifyOrder) {
  return {
    order_number: order.name,
    created_at: order.createdAt,
    cancelled: order.cancelledAt !== null,
    payment: order.displayFinancialStatus,
    fulfillment: order.displayFulfillmentStatus,
    total: order.totalPriceSet.shopMoney,
    status_url: order.statusPageUrl,
    shipments: order.fulfillments.map((f) => ({
      status: f.displayStatus ?? f.status,
      estimated_delivery: f.estimatedDeliveryAt,
      delivered_at: f.deliveredAt,
      tracking: f.trackingInfo.map((t) => ({ company: t.company, number: t.number, url: t.url })),
    })),
  }
}
