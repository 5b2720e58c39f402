/**
 * @module
 * The events-out deliverer's store port over Supabase (service role): the SQL functions of
 * migration 20261203030100 own claims, retries, failure and pausing (ADR 090).
 */
import { z } from 'zod'
import type { DeliveryStore } from '../events/delivery-store.ts'
import { LEASE_SECONDS } from '../events/endpoint-deliverer.ts'
import { check } from './postgrest.ts'
import type { Db } from './supabase.ts'

const targetRow = z
  .object({ id: z.string(), url: z.string(), active: z.boolean(), secret: z.string() })
  .nullable()
const claimedRow = z.object({
  delivery_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  conversation_id: z.string().nullable(),
  attempts: z.number(),
  body: z.unknown(),
})
const finishRow = z.object({
  recorded: z.boolean(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  endpoint_active: z.boolean().optional(),
})

export function createSupabaseDeliveries(db: Db): DeliveryStore {
  return {
    async target(endpointId) {
      return targetRow.parse(
        check(
          'read webhook endpoint',
          await db.rpc('webhook_endpoint_target', { p_endpoint_id: endpointId }),
        ),
      )
    },

    async claim(endpointId, worker, limit) {
      const data = check(
        'claim webhook deliveries',
        await db.rpc('claim_webhook_deliveries', {
          p_endpoint_id: endpointId,
          p_worker: worker,
          p_limit: limit,
          p_lease_seconds: LEASE_SECONDS,
        }),
      )
      return z
        .array(claimedRow)
        .parse(data)
        .map((r) => ({
          deliveryId: r.delivery_id,
          eventId: r.event_id,
          eventType: r.event_type,
          conversationId: r.conversation_id,
          attempts: r.attempts,
          body: r.body,
        }))
    },

    async finish(deliveryId, worker, outcome) {
      const data = check(
        'record webhook attempt',
        await db.rpc('finish_webhook_attempt', {
          p_delivery_id: deliveryId,
          p_worker: worker,
          p_status_code: outcome.statusCode ?? undefined,
          p_latency_ms: outcome.latencyMs,
          p_error: outcome.error ?? undefined,
        }),
      )
      const row = finishRow.parse(data)
      return { recorded: row.recorded, status: row.status, endpointActive: row.endpoint_active }
    },

    async nextAttemptAt(endpointId) {
      const data = check(
        'read next webhook attempt',
        await db.rpc('next_webhook_attempt', { p_endpoint_id: endpointId }),
      )
      return data ? Date.parse(z.string().parse(data)) : null
    },
  }
}
