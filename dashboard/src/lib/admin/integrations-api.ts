import { type CheckEnum, CheckEnums } from '@relevo/supabase/enums'
import type { Tables } from '@relevo/supabase/types'
import { z } from 'zod/mini'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'
import { parseJson } from './json-results.ts'

export type WebhookEndpoint = Tables<'webhook_endpoints'>
export type WebhookDelivery = Pick<
  Tables<'webhook_deliveries'>,
  | 'id'
  | 'event_id'
  | 'event_type'
  | 'status'
  | 'attempts'
  | 'last_latency_ms'
  | 'last_status_code'
  | 'last_error'
  | 'next_attempt_at'
  | 'created_at'
>

type EventType = CheckEnum<'webhook_events.type'>

/**
 * The event types an endpoint may choose (SQL: private.check_event_types): every event but the
 * test ping, which only the Test button sends.
 */
export const EVENT_TYPES = CheckEnums['webhook_events.type'].filter(
  (type): type is Exclude<EventType, 'webhook_test'> => type !== 'webhook_test',
)

const DELIVERY_COLUMNS =
  'id, event_id, event_type, status, attempts, last_latency_ms, last_status_code, last_error, next_attempt_at, created_at'
const created = z.object({ endpoint: z.object({ id: z.string(), url: z.string() }), secret: z.string() })

/** Admin → Integrations: RLS shows admins their tenant's endpoints; the SQL functions change them. */
export function createIntegrationsApi(db: Db) {
  return {
    endpoints: () => result(db.from('webhook_endpoints').select('*').order('created_at')),
    /** Paused by a day of failures (ADR 091): what the header's alert lists. */
    autoPaused: () =>
      result(db.from('webhook_endpoints').select('id, url').not('auto_paused_at', 'is', null).order('url')),
    deliveries: (endpointId: string, limit = 20) =>
      result(
        db
          .from('webhook_deliveries')
          .select(DELIVERY_COLUMNS)
          .eq('endpoint_id', endpointId)
          .order('created_at', { ascending: false })
          .limit(limit),
      ),
    /** The secret is in this answer only: the screen shows it once. */
    create: async (url: string, events: string[]) =>
      parseJson(
        'create_webhook_endpoint',
        created,
        await result(db.rpc('create_webhook_endpoint', { p_url: url, p_events: events })),
      ),
    setActive: (endpointId: string, active: boolean) =>
      result(db.rpc('update_webhook_endpoint', { p_endpoint_id: endpointId, p_active: active })),
    remove: (endpointId: string) => result(db.rpc('delete_webhook_endpoint', { p_endpoint_id: endpointId })),
    rotate: (endpointId: string) => result(db.rpc('rotate_webhook_secret', { p_endpoint_id: endpointId })),
    resend: (deliveryId: string) => result(db.rpc('resend_webhook_delivery', { p_delivery_id: deliveryId })),
    sendTest: (endpointId: string) =>
      result(db.rpc('send_test_webhook_event', { p_endpoint_id: endpointId })),
  }
}

export type IntegrationsApi = ReturnType<typeof createIntegrationsApi>
