/**
 * @module
 * The sweeper's store port over Supabase (service role).
 */

import { z } from 'zod'
import type { MaintenanceStore } from '../pipeline/store.ts'
import { check, rows } from './postgrest.ts'
import type { Db } from './supabase.ts'

const unansweredRow = z.object({ message_id: z.string(), conversation_id: z.string(), tenant_id: z.string() })

export function createSupabaseMaintenance(db: Db): MaintenanceStore {
  return {
    async unansweredMessages(minAgeSeconds, limit) {
      const data = check(
        'list unanswered messages',
        await db.rpc('unanswered_ai_messages', { p_min_age_seconds: minAgeSeconds, p_limit: limit }),
      )
      return z
        .array(unansweredRow)
        .parse(data)
        .map((r) => ({ messageId: r.message_id, conversationId: r.conversation_id, tenantId: r.tenant_id }))
    },

    async abandonedRuns() {
      const data = check('list abandoned AI runs', await db.rpc('abandoned_ai_runs', { p_limit: 50 }))
      return z
        .array(z.object({ run_id: z.string(), conversation_id: z.string(), provider: z.string() }))
        .parse(data)
        .map((r) => ({ runId: r.run_id, conversationId: r.conversation_id, provider: r.provider }))
    },

    async autoReturnIdle() {
      return z.number().parse(check('auto-return idle chats', await db.rpc('auto_return_idle')))
    },

    async cloudChannelsWithDueOutbox() {
      const data = check(
        'list Cloud API channels with due messages',
        await db.rpc('cloud_channels_with_due_outbox'),
      )
      return z.array(z.string()).parse(data ?? [])
    },

    async flagStaleChannels(olderThanSeconds) {
      // No SQL function owns this yet; set_channel_status would stamp a fresh heartbeat, hiding
      // the staleness it reports. Only channels that claim to be up are touched.
      const before = new Date(Date.now() - olderThanSeconds * 1000).toISOString()
      const data = rows(
        'flag stale channels',
        await db
          .from('channels')
          .update({ status: 'disconnected', status_changed_at: new Date().toISOString() })
          .or('status.eq.ready,status.eq.starting,status.eq.qr') // not `in`: see lib/metrics.ts
          .eq('kind', 'whatsapp_web') // Cloud API numbers have no connector and no heartbeat
          .lt('last_heartbeat_at', before)
          .select('id'),
      )
      return data.length
    },
  }
}
