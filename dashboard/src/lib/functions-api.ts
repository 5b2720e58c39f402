/**
 * Calls to the functions app (another origin) with the agent's bearer token: the Cloud API's
 * Test and templates, the coordinator's Test, Shopify's Test. Its `{code, message, hint}`
 * refusals become DeskErrors whose message says what failed and what to do next.
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

export async function callFunctions<T>(
  db: Db,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const token = (await db.auth.getSession()).data.session?.access_token
  if (!token) throw new DeskError('session_expired', 'Not signed in', { authExpired: true })
  let response: Response
  try {
    response = await fetch(`${functionsUrl()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (cause) {
    throw new DeskError('functions_unreachable', 'The functions app is unreachable', {
      retryable: true,
      cause,
    })
  }
  const answer = (await response.json().catch(() => ({}))) as {
    code?: string
    message?: string
    hint?: string
  }
  if (!response.ok) {
    const message = answer.message ?? `HTTP ${response.status}`
    throw new DeskError(answer.code ?? 'generic', answer.hint ? `${message}. ${answer.hint}` : message)
  }
  return answer as T
}
