import type { Logger } from 'pino'
import type { Claims } from './keys.ts'

/** Per-request values the server's middleware puts on Hono's context. */
export type StandInEnv = {
  Variables: {
    /** Claims of the bearer token (or of the API key when there is none), as PostgREST sees them. */
    claims: Claims
    /** The raw bearer token, which auth endpoints re-verify with their own error codes. */
    bearer: string
    logger: Logger
  }
}
