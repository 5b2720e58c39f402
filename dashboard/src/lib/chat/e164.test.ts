import { describe, expect, it } from 'vitest'
import { e164Digits } from './e164.ts'

describe('e164Digits', () => {
  it('accepts international numbers however they are spaced', () => {
    expect(e164Digits('+52 1 (55) 1234-5678')).toBe('5215512345678')
    expect(e164Digits('5215512345678')).toBe('5215512345678')
    expect(e164Digits(' +34.612.345.678 ')).toBe('34612345678')
  })

  it('refuses local numbers, a leading zero, letters and more than 15 digits', () => {
    for (const phone of ['12345', '0052155123456', '+52 55 abc 1234', '5215512345678901234', '', '+'])
      expect(e164Digits(phone)).toBeNull()
  })
})
