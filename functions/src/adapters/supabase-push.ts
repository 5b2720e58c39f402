/**
 * @module
 * The push sender's store port over Supabase (service role): SQL picks the browsers and writes the
 * notification (`push_targets`), and records what the push service answered (`finish_push`).
 */
import { z } from 'zod'
import type { PushStore } from '../push/send-alert.ts'
import { check } from './postgrest.ts'
import type { Db } from './supabase.ts'

const targetRows = z.array(
  z.object({
    subscription_id: z.string(),
    endpoint: z.string(),
    p256dh: z.string(),
    auth: z.string(),
    notification: z.record(z.string(), z.unknown()),
  }),
)

/** `db` is called on first use: a Worker without the service key can still answer other routes. */
export function createSupabasePush(db: () => Db): PushStore {
  return {
    async targets(alert) {
      const rows = targetRows.parse(
        check(
          'read push targets',
          await db().rpc('push_targets', {
            p_conversation_id: alert.conversation_id,
            p_kind: alert.kind,
            ...(alert.message_id ? { p_message_id: alert.message_id } : {}),
          }),
        ),
      )
      return rows.map((r) => ({
        subscriptionId: r.subscription_id,
        endpoint: r.endpoint,
        p256dh: r.p256dh,
        auth: r.auth,
        notification: r.notification,
      }))
    },
    async finish(subscriptionId, status) {
      check(
        'record push outcome',
        await db().rpc('finish_push', { p_subscription_id: subscriptionId, p_status: status }),
      )
    },
  }
}
