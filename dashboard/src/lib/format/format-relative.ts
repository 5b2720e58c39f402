import type { Locale } from '../i18n/translate.ts'

const formatters = new Map<Locale, Intl.RelativeTimeFormat>()
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', Number.POSITIVE_INFINITY],
]

/** "5 seconds ago", "in 2 minutes", "hace 3 horas": the largest whole unit. `now` is a parameter for tests. */
export function formatRelative(iso: string, locale: Locale, now: number): string {
  let value = (new Date(iso).getTime() - now) / 1000
  let rtf = formatters.get(locale)
  if (!rtf) {
    rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
    formatters.set(locale, rtf)
  }
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return rtf.format(Math.trunc(value), unit)
    value /= size
  }
  return rtf.format(Math.trunc(value), 'day')
}

/** A duration for humans: "45 s", "3 min 20 s", "2 h 5 min"; null (no data) is "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`
  const m = Math.round(s / 60)
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`
}
