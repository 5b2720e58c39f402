/**
 * A failed call to Supabase, with the stable code the SQL functions put in DETAIL
 * (invalid_body, conversation_not_found, not_an_agent…) and whether retrying can help.
 */
export class DeskError extends Error {
  readonly retryable: boolean
  readonly authExpired: boolean

  constructor(
    readonly code: string,
    message: string,
    { retryable = false, authExpired = false, cause }: DeskErrorOptions = {},
  ) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'DeskError'
    this.retryable = retryable
    this.authExpired = authExpired
  }
}

export interface DeskErrorOptions {
  /** Trying again later can succeed (offline, 5xx). */
  retryable?: boolean
  /** The session is gone: sign in again, keep the drafts. */
  authExpired?: boolean
  cause?: unknown
}

interface PostgrestLikeError {
  message?: string
  code?: string
  details?: string | null
  hint?: string | null
}

/**
 * Maps a PostgREST error and HTTP status to a DeskError. Status 0 means the request never reached
 * the server (offline): retryable. 5xx is retryable. 401 or PGRST301/PGRST303 means the JWT is
 * gone or expired: the session must be renewed, and the draft kept.
 */
export function toDeskError(error: PostgrestLikeError, status: number): DeskError {
  const authExpired = status === 401 || error.code === 'PGRST301' || error.code === 'PGRST303'
  const retryable = !authExpired && (status === 0 || status >= 500)
  if (authExpired)
    return new DeskError('session_expired', error.message ?? 'Session expired', {
      authExpired: true,
      cause: error,
    })
  if (retryable)
    return new DeskError('network', error.message ?? 'Server unreachable', { retryable: true, cause: error })
  const detail =
    typeof error.details === 'string' && /^[a-z_]+$/.test(error.details) ? error.details : undefined
  const code = detail ?? (error.code || 'unknown')
  return new DeskError(code, error.message ?? 'Supabase request failed', { cause: error })
}
