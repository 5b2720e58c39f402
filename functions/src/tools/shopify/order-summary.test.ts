import { orders } from '@relevo/testing/shopify-fixtures'
import { describe, expect, it } from 'vitest'
import { samePhone, verifyOrderOwner } from './order-summary.ts'

describe('order owner check', () => {
  it("matches a WhatsApp number to the store's phone despite prefixes", () => {
    expect(samePhone('5215512345678', '+52 55 1234 5678')).toBe(true)
    expect(samePhone('14155550123', '(415) 555-0123')).toBe(true)
    expect(samePhone('5215512345678', '+52 55 1234 0000')).toBe(false)
    expect(samePhone('', '+52 55 1234 5678')).toBe(false)
  })

  it('accepts the order email, case-insensitively, and nothing else', () => {
    const order = orders[0]
    if (!order) throw new Error('fixture missing')
    expect(verifyOrderOwner(order, { phone: null, email: ' Ana.Cliente@Example.com ' })).toBe(true)
    expect(verifyOrderOwner(order, { phone: '5219998887766', email: 'otra@example.com' })).toBe(false)
  })
})
