/**
 * @module
 * The sweeper's store port over Supabase (service role).
 */

import { z } from 'zod'
import type { MaintenanceStore } from '../pipeline/store.ts'
import { RelevoError } from '../shared/errors.ts'
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

    async assignWaitingChats() {
      return z
        .object({ requeued: z.number(), assigned: z.number() })
        .parse(check('assign waiting chats', await db.rpc('assign_waiting_chats')))
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

    async expireMedia(limit) {
      return z
        .number()
        .parse(check('expire media past retention', await db.rpc('expire_media', { p_limit: limit })))
    },

    async mediaDeletionsDue(limit) {
      const data = check(
        'list media files to remove',
        await db.rpc('media_deletions_due', { p_limit: limit }),
      )
      return z.array(z.string()).parse(data)
    },

    async removeMediaFiles(paths) {
      // Storage's remove answers the objects it deleted; a path already gone is simply not listed.
      const { error } = await db.storage.from('media').remove(paths)
      if (error) {
        throw new RelevoError(
          'storage_remove_failed',
          `Removing ${paths.length} media files failed: ${error.message}`,
          {
            hint: 'Check that the media bucket exists and SUPABASE_SERVICE_ROLE_KEY is the service role key',
            cause: error,
          },
        )
      }
    },

    async mediaDeletionsDone(paths) {
      check('confirm removed media files', await db.rpc('media_deletions_done', { p_paths: paths }))
    },

    async dueWebhookEndpoints(limit) {
      return z
        .array(z.string())
        .parse(check('list due webhook endpoints', await db.rpc('due_webhook_endpoints', { p_limit: limit })))
    },

    async pruneWebhookHistory(limit) {
      return z
        .number()
        .parse(check('prune old webhook events', await db.rpc('prune_webhook_history', { p_limit: limit })))
    },
  }
}
