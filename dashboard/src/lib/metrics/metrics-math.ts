import { Constants } from '@relevo/supabase/types'
import type { Metrics } from '../admin/json-results.ts'

export type RangeKey = 'today' | '24h' | '7d' | '30d'
export const RANGES: readonly RangeKey[] = ['today', '24h', '7d', '30d']
const HOUR = 3_600_000
const DAY = 24 * HOUR

/** [from, to) for a preset, ending now; "today" starts at local midnight. */
export function rangeFor(key: RangeKey, now: Date): { from: Date; to: Date } {
  const to = new Date(now.getTime() + 1000) // rows written this very second are inside
  if (key === 'today') return { from: new Date(now.getFullYear(), now.getMonth(), now.getDate()), to }
  const span = key === '24h' ? DAY : key === '7d' ? 7 * DAY : 30 * DAY
  return { from: new Date(now.getTime() - span), to }
}

/** Replies the AI wrote out of all replies (AI, agents, the business phone); automatic texts excluded. */
export function aiShare(replies: Metrics['replies_by_author']): {
  ai: number
  total: number
  percent: number | null
} {
  const ai = replies.ai ?? 0
  const total = ai + (replies.agent ?? 0) + (replies.phone ?? 0)
  return { ai, total, percent: total === 0 ? null : Math.round((ai / total) * 100) }
}

export const AUTHORS = Constants.public.Enums.message_author
export type ChartAuthor = (typeof AUTHORS)[number]

export interface Bucket {
  start: number
  counts: Record<ChartAuthor, number>
  total: number
}

const empty = () => Object.fromEntries(AUTHORS.map((a) => [a, 0])) as Record<ChartAuthor, number>

/**
 * Hourly rows from dashboard_metrics as a gap-free series over [from, to): hours up to two days,
 * days beyond (a month of hours would be 720 unreadable bars). Local time buckets by day.
 */
export function bucketSeries(
  rows: Metrics['messages_per_hour'],
  from: Date,
  to: Date,
): { unit: 'hour' | 'day'; buckets: Bucket[] } {
  const unit = to.getTime() - from.getTime() > 2 * DAY ? 'day' : 'hour'
  const floor = (t: number) => {
    if (unit === 'hour') return Math.floor(t / HOUR) * HOUR
    const d = new Date(t)
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  }
  const next = (t: number) => {
    if (unit === 'hour') return t + HOUR
    const d = new Date(t)
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime()
  }
  const buckets = new Map<number, Bucket>()
  for (let t = floor(from.getTime()); t < to.getTime(); t = next(t))
    buckets.set(t, { start: t, counts: empty(), total: 0 })
  for (const row of rows) {
    const bucket = buckets.get(floor(new Date(row.hour).getTime()))
    if (!bucket) continue
    bucket.counts[row.author] += row.count
    bucket.total += row.count
  }
  return { unit, buckets: [...buckets.values()] }
}

export function sumTokens(rows: Metrics['ai_tokens_per_day']): number {
  return rows.reduce((sum, r) => sum + (r.prompt ?? 0) + (r.completion ?? 0), 0)
}
