import type { Context } from 'hono'

/** The API version auth-js sends and GoTrue echoes; it decides how auth-js reads error codes. */
export const API_VERSION = '2024-01-01'

/**
 * An expected GoTrue failure (GoTrue's `HTTPError`). Rendered with both the 2024-01-01 fields
 * (`code`, `message`) and the legacy ones (`error_code`, `msg`), which auth-js accepts either way.
 */
export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

export function renderAuthError(c: Context, error: AuthApiError): Response {
  const body = {
    code: error.code,
    error_code: error.code,
    msg: error.message,
    message: error.message,
    ...error.extra,
  }
  return c.json(body, error.status as 400, {
    'X-Supabase-Api-Version': API_VERSION,
    'x-sb-error-code': error.code,
  })
}

export const invalidCredentials = () =>
  new AuthApiError(400, 'invalid_credentials', 'Invalid login credentials')
export const notAdmin = () => new AuthApiError(403, 'not_admin', 'User not allowed')
export const userNotFound = () => new AuthApiError(404, 'user_not_found', 'User not found')
export const badJwt = (detail: string, cause?: unknown) =>
  new AuthApiError(
    403,
    'bad_jwt',
    `invalid JWT: unable to parse or verify signature, ${detail}`,
    {},
    { cause },
  )
export const validationFailed = (message: string) => new AuthApiError(400, 'validation_failed', message)
export const weakPassword = () =>
  new AuthApiError(422, 'weak_password', 'Password should be at least 6 characters.', {
    weak_password: { reasons: ['length'] },
  })
