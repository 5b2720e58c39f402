import { describe, expect, it } from 'vitest'
import { withDefaults } from './with-defaults.ts'

interface Options {
  name: string
  retryMs?: number
  limit?: number
}

describe('withDefaults', () => {
  it('fills an absent or undefined option and keeps a given one, even 0', () => {
    const given: Options = { name: 'a', retryMs: undefined, limit: 0 }
    expect(withDefaults(given, { retryMs: 500, limit: 64 })).toEqual({ name: 'a', retryMs: 500, limit: 0 })
    expect(withDefaults({ name: 'b' } as Options, { retryMs: 500 })).toEqual({ name: 'b', retryMs: 500 })
    expect(given.retryMs).toBeUndefined()
  })
})
