import { describe, expect, it } from 'vitest'
import { customerLabel, formatPhone } from './format-phone.ts'
import { formatListTime } from './format-time.ts'

describe('formatPhone', () => {
  it('groups digits from the end with a leading +', () => {
    expect(formatPhone('5215512345678')).toBe('+52 155 1234 5678')
    expect(formatPhone('5215512345678@c.us')).toBe('+52 155 1234 5678')
    expect(formatPhone('14155550123')).toBe('+1 415 555 0123')
    expect(formatPhone('+44 7700 900123')).toBe('+44 770 090 0123')
    expect(formatPhone('593991234567')).toBe('+593 99123 4567')
  })

  it('returns nothing for @lid ids and missing phones', () => {
    expect(formatPhone('123456789@lid')).toBe('')
    expect(formatPhone(null)).toBe('')
  })
})

describe('customerLabel', () => {
  it('prefers the name, then the phone, then the chat id', () => {
    expect(
      customerLabel({ customer_name: ' Lucía ', customer_phone: '5215512345678', wa_chat_id: 'x' }),
    ).toBe('Lucía')
    expect(customerLabel({ customer_name: '', customer_phone: '5215512345678', wa_chat_id: 'x' })).toBe(
      '+52 155 1234 5678',
    )
    expect(customerLabel({ customer_name: null, customer_phone: null, wa_chat_id: '99@lid' })).toBe('99@lid')
  })
})

describe('formatListTime', () => {
  const now = new Date(2026, 10, 25, 15, 30)
  it('shows the clock today, "yesterday" the day before, a date before that', () => {
    expect(
      formatListTime(new Date(2026, 10, 25, 9, 5).toISOString(), { locale: 'es', now, yesterday: 'Ayer' }),
    ).toBe('09:05')
    expect(
      formatListTime(new Date(2026, 10, 24, 23, 59).toISOString(), {
        locale: 'en',
        now,
        yesterday: 'Yesterday',
      }),
    ).toBe('Yesterday')
    expect(
      formatListTime(new Date(2026, 10, 2, 8, 0).toISOString(), {
        locale: 'en',
        now,
        yesterday: 'Yesterday',
      }),
    ).toBe('Nov 2')
  })

  it('is empty without a time', () => {
    expect(formatListTime(null, { locale: 'es', now, yesterday: 'Ayer' })).toBe('')
  })
})
