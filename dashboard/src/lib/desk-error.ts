/**
 * A failed call to Supabase, with the stable code the SQL functions put in DETAIL
 * (invalid_body, conversation_not_found, not_an_agent…) and whether retrying can help.
 */
export class DeskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly authExpired: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'DeskError'
  }
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
    return new DeskError('session_expired', error.message ?? 'Session expired', false, true, { cause: error })
  if (retryable)
    return new DeskError('network', error.message ?? 'Server unreachable', true, false, { cause: error })
  const detail =
    typeof error.details === 'string' && /^[a-z_]+$/.test(error.details) ? error.details : undefined
  const code = detail ?? (error.code || 'unknown')
  return new DeskError(code, error.message ?? 'Supabase request failed', false, false, { cause: error })
}
