/**
 * @module
 * The monitoring API's reads. Agents' clients carry their JWT, so RLS scopes every query to their
 * tenant; ops (service role) may narrow to one tenant with `tenantId`.
 */

import { HEARTBEAT_STALE_SECONDS, PRESENCE_ONLINE_SECONDS } from '@relevo/contracts/limits'
import { countRows } from './metrics.ts'
import { rows } from './postgrest.ts'
import type { Db } from './supabase.ts'

type Filter = { tenantId?: string | undefined }

const OUTCOMES = ['replied', 'handoff', 'failed', 'dropped', 'skipped'] as const

/** `deploymentKey`: whether the Worker itself can call a model (OPENAI_API_KEY or OPENAI_BASE_URL). */
export async function readStatus(db: Db, filter: Filter & { deploymentKey: boolean }) {
  let channels = db
    .from('channels')
    .select('id,tenant_id,name,kind,phone,status,last_heartbeat_at,status_changed_at')
    .is('archived_at', null) // a removed number (ADR 113) is no longer the store's to watch
  if (filter.tenantId) channels = channels.eq('tenant_id', filter.tenantId)
  const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString()
  const tenant: Record<string, string> = filter.tenantId ? { tenant_id: filter.tenantId } : {}
  const latest = (table: 'ai_runs' | 'messages') => {
    let q = db
      .from(table)
      .select('created_at')
      .order('created_at', { ascending: table === 'messages' })
      .limit(1)
    if (filter.tenantId) q = q.eq('tenant_id', filter.tenantId)
    return q
  }
  const oldestPending = latest('messages').or('status.eq.queued,status.eq.sending')
  const [chan, open, ai, human, attention, queued, failed, runs, lastRun, pendingRow] = await Promise.all([
    channels.order('created_at'),
    countRows(db, 'conversations', { ...tenant, status: 'open' }),
    countRows(db, 'conversations', { ...tenant, status: 'open', mode: 'ai' }),
    countRows(db, 'conversations', { ...tenant, status: 'open', mode: 'human' }),
    countRows(db, 'conversations', { ...tenant, status: 'open', needs_attention: true }),
    countRows(db, 'messages', { ...tenant, status: ['queued', 'sending'] }),
    countRows(db, 'messages', { ...tenant, status: 'failed' }, { created_at: since }),
    Promise.all(
      OUTCOMES.map((outcome) => countRows(db, 'ai_runs', { ...tenant, outcome }, { created_at: since })),
    ),
    latest('ai_runs'),
    oldestPending,
  ])
  const staleBefore = Date.now() - HEARTBEAT_STALE_SECONDS * 1000
  return {
    channels: rows('list channels', chan).map((ch) => ({
      ...ch,
      heartbeat_stale: !ch.last_heartbeat_at || Date.parse(ch.last_heartbeat_at) < staleBefore,
    })),
    conversations: { open, ai, human, needs_attention: attention },
    ai: {
      deployment_key: filter.deploymentKey,
      runs_24h: Object.fromEntries(OUTCOMES.map((o, i) => [o, runs[i] ?? 0])) as Record<
        (typeof OUTCOMES)[number],
        number
      >,
      last_run_at: rows('read the last AI run', lastRun)[0]?.created_at ?? null,
    },
    outbox: {
      pending: queued,
      failed_24h: failed,
      oldest_pending_at: rows('read the oldest pending message', pendingRow)[0]?.created_at ?? null,
    },
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

/** Every agent with `online`: active and seen by an open desk within `onlineSeconds` (touch_presence). */
export async function listAgents(db: Db, filter: Filter & { onlineSeconds?: number; now?: number }) {
  let query = db
    .from('agents')
    .select('user_id,tenant_id,display_name,email,role,active,created_at,last_seen_at')
    .order('created_at')
  if (filter.tenantId) query = query.eq('tenant_id', filter.tenantId)
  const seenAfter = (filter.now ?? Date.now()) - (filter.onlineSeconds ?? PRESENCE_ONLINE_SECONDS) * 1000
  const agents = rows('list agents', await query).map((agent) => ({
    ...agent,
    online: agent.active && agent.last_seen_at !== null && Date.parse(agent.last_seen_at) > seenAfter,
  }))
  return { agents, online: agents.filter((a) => a.online).length }
}
