import type { Locale } from '../i18n/translate.ts'

const DAY_MS = 86_400_000

// Building an Intl formatter costs far more than using one; the inbox formats hundreds of times per render.
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let cached = formatters.get(key)
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, options)
    formatters.set(key, cached)
  }
  return cached
}

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime()
}

/**
 * Inbox-style time: "14:05" today, "yesterday" the day before, a short date otherwise
 * (as WhatsApp Web does). `now` is a parameter so tests do not depend on the clock.
 */
export function formatListTime(
  iso: string | null,
  { locale, now, yesterday }: { locale: Locale; now: Date; yesterday: string },
): string {
  if (!iso) return ''
  const date = new Date(iso)
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS)
  if (days <= 0) return formatClock(iso, locale)
  if (days === 1) return yesterday
  return formatter(locale, { day: 'numeric', month: 'short' }).format(date)
}

export function formatClock(iso: string, locale: Locale): string {
  return formatter(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso))
}

export function formatFull(iso: string, locale: Locale): string {
  return formatter(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}
