import { describe, expect, it } from 'vitest'
import { toDeskError } from './desk-error.ts'

describe('toDeskError', () => {
  it('keeps the stable code from DETAIL of a Relevo SQL error', () => {
    const err = toDeskError(
      { message: 'A message needs 1 to 4096 characters', code: 'PT400', details: 'invalid_body' },
      400,
    )
    expect(err).toMatchObject({ code: 'invalid_body', retryable: false, authExpired: false })
  })

  it('treats an unreachable server as retryable', () => {
    const err = toDeskError({ message: 'TypeError: Failed to fetch', code: '', details: 'x' }, 0)
    expect(err).toMatchObject({ code: 'network', retryable: true, authExpired: false })
  })

  it('flags an expired JWT so the session can be renewed', () => {
    const err = toDeskError({ message: 'JWT expired', code: 'PGRST303', details: null }, 401)
    expect(err).toMatchObject({ code: 'session_expired', retryable: false, authExpired: true })
  })
})
