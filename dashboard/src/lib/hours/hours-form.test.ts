import { describe, expect, it } from 'vitest'
import { parseDeskForm, parseSpan, toDeskForm } from './hours-form.ts'
import type { DeskSettings } from './types.ts'

const settings: DeskSettings = {
  timezone: 'America/Mexico_City',
  ai_enabled: true,
  away_text: 'Volvemos {{next_open}}',
  after_hours_handoff_text: 'Te atenderán {{next_open}}',
  auto_assign: true,
  agent_capacity: 5,
  offline_requeue_minutes: 10,
}

describe('parseDeskForm', () => {
  it('round-trips the stored settings', () => {
    expect(parseDeskForm(toDeskForm(settings))).toEqual({ ok: true, value: settings })
  })

  it('names each field outside its column limits', () => {
    const parsed = parseDeskForm({
      ...toDeskForm(settings),
      agent_capacity: '0',
      offline_requeue_minutes: '1441',
      away_text: '  ',
    })
    expect(parsed).toEqual({
      ok: false,
      errors: {
        agent_capacity: { key: 'settings.invalid.range', params: { min: 1, max: 100 } },
        offline_requeue_minutes: { key: 'settings.invalid.range', params: { min: 1, max: 1440 } },
        away_text: { key: 'settings.invalid.required' },
      },
    })
  })
})

describe('parseSpan', () => {
  it('takes a span of one day and reads a 00:00 close as midnight', () => {
    expect(parseSpan(1, '09:00', '17:00')).toEqual({ weekday: 1, opens_at: '09:00', closes_at: '17:00' })
    expect(parseSpan(6, '22:00', '00:00')).toEqual({ weekday: 6, opens_at: '22:00', closes_at: '24:00' })
  })

  it('refuses a span that ends before it starts or a malformed time', () => {
    expect(parseSpan(1, '17:00', '09:00')).toBeNull()
    expect(parseSpan(1, '9:00', '17:00')).toBeNull()
  })
})
