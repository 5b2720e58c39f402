/**
 * @module
 * Prometheus text exposition computed from the database at scrape time: Worker isolates share no
 * memory, so in-process counters would be per-isolate fragments. Counters are row counts (rows are
 * never deleted); the AI latency histogram covers the runs of the last hour.
 */

import { CheckEnums } from '@relevo/supabase/enums'
import { Constants } from '@relevo/supabase/types'
import { check, rows } from './postgrest.ts'
import type { Db } from './supabase.ts'

const AUTHORS = Constants.public.Enums.message_author
const OUTCOMES = CheckEnums['ai_runs.outcome']
const CHANNEL_STATUSES = Constants.public.Enums.channel_status
const LATENCY_BUCKETS_MS = [100, 250, 500, 1000, 2500, 5000, 10000, 20000, 30000]

/** `count=exact` with HEAD: PostgREST counts, no rows travel. `since` filters on `>=`. */
export async function countRows(
  db: Db,
  table: 'messages' | 'conversations' | 'ai_runs' | 'audit_log' | 'channels',
  filters: Record<string, string | boolean | string[]>,
  since: Record<string, string> = {},
) {
  let query = db.from(table).select('*', { count: 'exact', head: true })
  for (const [column, value] of Object.entries(filters)) {
    // `or` of equalities rather than `in`: same rows, and the local stand-in rejects `in.(…)` on
    // enum columns (reported to its owners). Values here are our own constants, never user input.
    query = Array.isArray(value)
      ? query.or(value.map((v) => `${column}.eq.${v}`).join(','))
      : query.eq(column, value)
  }
  for (const [column, value] of Object.entries(since)) query = query.gte(column, value)
  const result = await query
  check(`count ${table}`, { data: null, error: result.error })
  return result.count ?? 0
}

export async function renderMetrics(db: Db): Promise<string> {
  const since = new Date(Date.now() - 3600 * 1000).toISOString()
  const [messages, runs, handoffs, pending, failed, channels, latencies] = await Promise.all([
    Promise.all(AUTHORS.map((author) => countRows(db, 'messages', { author, private: false }))),
    Promise.all(OUTCOMES.map((outcome) => countRows(db, 'ai_runs', { outcome }))),
    countRows(db, 'audit_log', { action: 'handoff' }),
    countRows(db, 'messages', { status: ['queued', 'sending'] }),
    countRows(db, 'messages', { status: 'failed' }),
    Promise.all(CHANNEL_STATUSES.map((status) => countRows(db, 'channels', { status }))),
    db.from('ai_runs').select('latency_ms').neq('outcome', 'skipped').gte('created_at', since).limit(10_000),
  ])
  const values = rows('read AI latencies', latencies).map((r) => Number(r.latency_ms))
  const lines = [
    '# HELP relevo_messages_total Messages stored, by author.',
    '# TYPE relevo_messages_total counter',
    ...AUTHORS.map((a, i) => `relevo_messages_total{author="${a}"} ${messages[i]}`),
    '# HELP relevo_ai_runs_total AI decisions, by outcome.',
    '# TYPE relevo_ai_runs_total counter',
    ...OUTCOMES.map((o, i) => `relevo_ai_runs_total{outcome="${o}"} ${runs[i]}`),
    '# HELP relevo_handoffs_total Conversations the AI handed to a person.',
    '# TYPE relevo_handoffs_total counter',
    `relevo_handoffs_total ${handoffs}`,
    '# HELP relevo_outbox_depth Outgoing messages queued or being sent.',
    '# TYPE relevo_outbox_depth gauge',
    `relevo_outbox_depth ${pending}`,
    '# HELP relevo_delivery_failures_total Outgoing messages that ended failed.',
    '# TYPE relevo_delivery_failures_total counter',
    `relevo_delivery_failures_total ${failed}`,
    '# HELP relevo_channels WhatsApp channels, by status.',
    '# TYPE relevo_channels gauge',
    ...CHANNEL_STATUSES.map((s, i) => `relevo_channels{status="${s}"} ${channels[i]}`),
    '# HELP relevo_ai_latency_ms AI decision latency over the last hour (debounce excluded).',
    '# TYPE relevo_ai_latency_ms histogram',
    ...LATENCY_BUCKETS_MS.map(
      (le) => `relevo_ai_latency_ms_bucket{le="${le}"} ${values.filter((v) => v <= le).length}`,
    ),
    `relevo_ai_latency_ms_bucket{le="+Inf"} ${values.length}`,
    `relevo_ai_latency_ms_sum ${values.reduce((a, b) => a + b, 0)}`,
    `relevo_ai_latency_ms_count ${values.length}`,
  ]
  return `${lines.join('\n')}\n`
}
