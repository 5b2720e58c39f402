import type { WebhookDelivery } from './integrations-api.ts'

/** How many deliveries per endpoint the Integrations screen shows. */
export const RECENT_DELIVERIES = 20

/**
 * An endpoint's recent deliveries with one row from the admins' topic applied: a known delivery is
 * replaced (a retry, its outcome), a new one goes on top; newest first, the oldest falling off.
 */
export function applyDelivery(list: readonly WebhookDelivery[], row: WebhookDelivery): WebhookDelivery[] {
  const others = list.filter((d) => d.id !== row.id)
  return [...others, row]
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id))
    .slice(0, RECENT_DELIVERIES)
}
