import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'
import { AuthApiError } from './errors.ts'
import { GOTRUE_TOKEN_RATE_LIMIT, tokenRateLimiter } from './rate-limit.ts'

describe('GoTrue token rate limit', () => {
  it('allows a burst of 30, then refills 150 per 5 minutes (one every 2 s), per IP', () => {
    let now = 0
    const take = tokenRateLimiter(GOTRUE_TOKEN_RATE_LIMIT, () => now)
    for (let i = 0; i < 30; i++) take('10.0.0.1')
    expect(() => take('10.0.0.1')).toThrow(AuthApiError)
    take('10.0.0.2') // another client has its own bucket
    now += 1_999
    expect(() => take('10.0.0.1')).toThrow('Request rate limit reached')
    now += 1
    take('10.0.0.1')
    expect(() => take('10.0.0.1')).toThrow(AuthApiError)
  })

  it('is off with a limit of 0', () => {
    const take = tokenRateLimiter({ perFiveMinutes: 0, burst: 30 })
    for (let i = 0; i < 100; i++) take('10.0.0.1')
  })
})

describe('POST /auth/v1/token over the limit', () => {
  let env: TestStandIn

  beforeAll(async () => {
    env = await startTestStandIn('pglite', '', { tokenRateLimit: { perFiveMinutes: 150, burst: 3 } })
  })
  afterAll(() => env?.close())

  it("answers 429 over_request_rate_limit in GoTrue's shape, for sign-ins and refreshes alike", async () => {
    const client = env.client()
    for (let i = 0; i < 2; i++) {
      const { error } = await client.auth.signInWithPassword({
        email: 'nobody@example.test',
        password: 'wrong-pw',
      })
      expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' })
    }
    const refresh = await client.auth.refreshSession({ refresh_token: 'unknown' })
    expect(refresh.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' })
    const limited = await client.auth.signInWithPassword({
      email: 'nobody@example.test',
      password: 'wrong-pw',
    })
    expect(limited.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' })
    const raw = await fetch(`${env.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: env.standIn.keys.anonKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong-pw' }),
    })
    expect(raw.status).toBe(429)
    expect(raw.headers.get('x-sb-error-code')).toBe('over_request_rate_limit')
    expect(await raw.json()).toEqual({
      code: 'over_request_rate_limit',
      error_code: 'over_request_rate_limit',
      msg: 'Request rate limit reached',
      message: 'Request rate limit reached',
    })
  })
})
