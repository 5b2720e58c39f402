/**
 * @module
 * The monitoring API's reads. Agents' clients carry their JWT, so RLS scopes every query to their
 * tenant; ops (service role) may narrow to one tenant with `tenantId`.
 */

import { HEARTBEAT_STALE_SECONDS } from '@relevo/supabase/limits'
import { countRows } from './metrics.ts'
import { rows } from './postgrest.ts'
import type { Db } from './supabase.ts'

type Filter = { tenantId?: string | undefined }

export async function readStatus(db: Db, filter: Filter) {
  let channels = db
    .from('channels')
    .select('id,tenant_id,name,kind,phone,status,last_heartbeat_at,status_changed_at')
  if (filter.tenantId) channels = channels.eq('tenant_id', filter.tenantId)
  const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString()
  const tenant: Record<string, string> = filter.tenantId ? { tenant_id: filter.tenantId } : {}
  const [chan, open, ai, human, attention, queued, failed] = await Promise.all([
    channels.order('created_at'),
    countRows(db, 'conversations', { ...tenant, status: 'open' }),
    countRows(db, 'conversations', { ...tenant, status: 'open', mode: 'ai' }),
    countRows(db, 'conversations', { ...tenant, status: 'open', mode: 'human' }),
    countRows(db, 'conversations', { ...tenant, status: 'open', needs_attention: true }),
    countRows(db, 'messages', { ...tenant, status: ['queued', 'sending'] }),
    countRows(db, 'messages', { ...tenant, status: 'failed' }, { created_at: since }),
  ])
  const staleBefore = Date.now() - HEARTBEAT_STALE_SECONDS * 1000
  return {
    channels: rows('list channels', chan).map((ch) => ({
      ...ch,
      heartbeat_stale: !ch.last_heartbeat_at || Date.parse(ch.last_heartbeat_at) < staleBefore,
    })),
    conversations: { open, ai, human, needs_attention: attention },
    outbox: { pending: queued, failed_24h: failed },
  }
}

export interface ConversationQuery extends Filter {
  mode?: 'ai' | 'human' | undefined
  needsAttention?: boolean | undefined
  limit: number
}

export async function listConversations(db: Db, q: ConversationQuery) {
  let query = db
    .from('conversations')
    .select(
      'id,tenant_id,channel_id,customer_name,customer_phone,mode,status,assigned_agent_id,needs_attention,' +
        'attention_reason,unread_count,last_message_at,last_message_preview,mode_changed_at',
    )
    .order('last_message_at', { ascending: false, nullsFirst: false })
    .limit(q.limit)
  if (q.tenantId) query = query.eq('tenant_id', q.tenantId)
  if (q.mode) query = query.eq('mode', q.mode)
  if (q.needsAttention !== undefined) query = query.eq('needs_attention', q.needsAttention)
  return rows('list conversations', await query)
}

export async function listAgents(db: Db, filter: Filter) {
  let query = db
    .from('agents')
    .select('user_id,tenant_id,display_name,email,role,active,created_at')
    .order('created_at')
  if (filter.tenantId) query = query.eq('tenant_id', filter.tenantId)
  return rows('list agents', await query)
}
