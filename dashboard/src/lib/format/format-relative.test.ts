import { describe, expect, it } from 'vitest'
import { formatDuration, formatRelative } from './format-relative.ts'

describe('formatRelative', () => {
  const now = Date.parse('2026-11-25T12:00:00Z')
  it('picks the largest whole unit, past and future, per language', () => {
    expect(formatRelative('2026-11-25T11:59:50Z', 'en', now)).toBe('10 seconds ago')
    expect(formatRelative('2026-11-25T11:57:00Z', 'en', now)).toBe('3 minutes ago')
    expect(formatRelative('2026-11-25T09:00:00Z', 'es', now)).toBe('hace 3 horas')
    expect(formatRelative('2026-11-25T12:01:00Z', 'en', now)).toBe('in 1 minute')
    expect(formatRelative('2026-11-22T12:00:00Z', 'en', now)).toBe('3 days ago')
  })
})

describe('formatDuration', () => {
  it('reads as seconds, minutes or hours', () => {
    expect(formatDuration(4.4)).toBe('4 s')
    expect(formatDuration(200)).toBe('3 min 20 s')
    expect(formatDuration(180)).toBe('3 min')
    expect(formatDuration(7500)).toBe('2 h 5 min')
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(undefined)).toBe('—')
  })
})
