/**
 * The functions app (Cloudflare Worker) as the desk calls it: with the agent's own JWT, so every
 * answer is the caller's tenant's. Errors come back as DeskError with the app's code.
 */
import { DeskError } from './desk-error.ts'
import type { Db } from './types.ts'

const LOCAL_FUNCTIONS_URL = 'http://127.0.0.1:8787'

/** The functions app: `window.__RELEVO_ENV__.functionsUrl` at run time, PUBLIC_FUNCTIONS_URL at build time (ADR 030). */
export function functionsUrl(): string {
  const runtime = typeof window === 'undefined' ? undefined : window.__RELEVO_ENV__
  const buildEnv = import.meta.env as Record<string, string | undefined>
  return (runtime?.functionsUrl || buildEnv.PUBLIC_FUNCTIONS_URL || LOCAL_FUNCTIONS_URL).replace(/\/+$/, '')
}

export async function callFunctions<T>(db: Db, method: 'GET' | 'POST', path: string): Promise<T> {
  const token = (await db.auth.getSession()).data.session?.access_token
  if (!token) throw new DeskError('session_expired', 'Not signed in', { authExpired: true })
  let response: Response
  try {
    response = await fetch(`${functionsUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
    })
  } catch (cause) {
    throw new DeskError('functions_unreachable', 'The functions app is unreachable', {
      retryable: true,
      cause,
    })
  }
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string }
  if (!response.ok) throw new DeskError(body.code ?? 'generic', body.message ?? `HTTP ${response.status}`)
  return body as T
}
