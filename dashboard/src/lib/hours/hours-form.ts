import type { FieldError } from '../settings/settings-form.ts'
import type { DeskSettings, Span } from './types.ts'

/** What the inputs hold (numbers as typed). */
export type DeskForm = Omit<DeskSettings, 'agent_capacity' | 'offline_requeue_minutes'> & {
  agent_capacity: string
  offline_requeue_minutes: string
}
export type Parsed<T, F> =
  | { ok: true; value: T }
  | { ok: false; errors: Partial<Record<keyof F, FieldError>> }

export const toDeskForm = (s: DeskSettings): DeskForm => ({
  ...s,
  agent_capacity: String(s.agent_capacity),
  offline_requeue_minutes: String(s.offline_requeue_minutes),
})

/** The same limits as the columns' CHECKs, so the admin sees which field is wrong. */
export function parseDeskForm(f: DeskForm): Parsed<DeskSettings, DeskForm> {
  const errors: Partial<Record<keyof DeskForm, FieldError>> = {}
  const int = (field: 'agent_capacity' | 'offline_requeue_minutes', max: number): number => {
    const n = Number(f[field].trim())
    if (f[field].trim() === '' || !Number.isInteger(n) || n < 1 || n > max)
      errors[field] = { key: 'settings.invalid.range', params: { min: 1, max } }
    return n
  }
  const text = (field: 'away_text' | 'after_hours_handoff_text'): string => {
    const value = f[field].trim()
    if (!value) errors[field] = { key: 'settings.invalid.required' }
    else if (value.length > 1000) errors[field] = { key: 'settings.invalid.length', params: { max: 1000 } }
    return value
  }
  const value: DeskSettings = {
    timezone: f.timezone,
    ai_enabled: f.ai_enabled,
    auto_assign: f.auto_assign,
    away_text: text('away_text'),
    after_hours_handoff_text: text('after_hours_handoff_text'),
    agent_capacity: int('agent_capacity', 100),
    offline_requeue_minutes: int('offline_requeue_minutes', 1440),
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value }
}

/** A new span: "HH:MM" inputs; closing "00:00" means midnight (stored as 24:00). */
export function parseSpan(weekday: number, opens: string, closes: string): Omit<Span, 'id'> | null {
  const time = /^([01]\d|2[0-3]):[0-5]\d$/
  if (!time.test(opens) || !time.test(closes)) return null
  const closesAt = closes === '00:00' ? '24:00' : closes
  return closesAt > opens ? { weekday, opens_at: opens, closes_at: closesAt } : null
}

/** "09:00:00" → "09:00"; "24:00:00" → "24:00". */
export const hhmm = (time: string): string => time.slice(0, 5)
