import { describe, expect, it } from 'vitest'
import type { Db } from '../types.ts'
import { createOnboardingApi } from './onboarding-api.ts'

/** A client whose signup_mode RPC answers `response` (or rejects, as a dropped connection does). */
function answering(response: { data: unknown; error: { message: string } | null } | Error): Db {
  const rpc = (name: string) => {
    expect(name).toBe('signup_mode')
    return response instanceof Error
      ? Promise.reject(response)
      : Promise.resolve({ ...response, status: response.error ? 500 : 200 })
  }
  return { rpc } as unknown as Db
}

describe('signupMode', () => {
  it.each([
    ['invite-only', 'invite-only'],
    ['open', 'open'],
    ['anything else', 'open'],
  ])('reads %j as %s', async (data, mode) => {
    await expect(createOnboardingApi(answering({ data, error: null })).signupMode()).resolves.toBe(mode)
  })

  it('answers open when the question fails, so the sign-up screens still show their form', async () => {
    const failed = answering({ data: null, error: { message: 'boom' } })
    await expect(createOnboardingApi(failed).signupMode()).resolves.toBe('open')
    await expect(createOnboardingApi(answering(new Error('offline'))).signupMode()).resolves.toBe('open')
  })
})
