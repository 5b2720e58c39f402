import { describe, expect, it } from 'vitest'
import { fillTemplate, formatLeft, serviceWindow, WINDOW_MS } from './service-window.ts'

describe('the 24-hour service window', () => {
  const now = Date.parse('2026-12-03T12:00:00Z')
  it('exists only on Cloud API chats', () => {
    expect(serviceWindow('whatsapp_web', '2026-11-01T00:00:00Z', now)).toEqual({ kind: 'none' })
  })
  it('is open for 24 h after the customer wrote, then closed; closed when the customer never wrote', () => {
    expect(serviceWindow('cloud_api', new Date(now - 60_000).toISOString(), now)).toEqual({
      kind: 'open',
      msLeft: WINDOW_MS - 60_000,
    })
    expect(serviceWindow('cloud_api', new Date(now - WINDOW_MS).toISOString(), now)).toEqual({
      kind: 'closed',
    })
    expect(serviceWindow('cloud_api', null, now)).toEqual({ kind: 'closed' })
  })
  it('shows hours and minutes left', () => {
    expect(formatLeft(5 * 3_600_000 + 12 * 60_000 + 59_000)).toEqual({ hours: 5, minutes: 12 })
    expect(formatLeft(10_000)).toEqual({ hours: 0, minutes: 1 })
  })
  it('fills a template body with the parameters', () => {
    expect(fillTemplate('Hola {{1}}, tu pedido {{2}} va en camino.', ['Juan', '#1001'])).toBe(
      'Hola Juan, tu pedido #1001 va en camino.',
    )
    expect(fillTemplate('Hola {{1}}', [])).toBe('Hola {{1}}')
  })
})
