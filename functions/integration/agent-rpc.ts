import type { Backend } from './backend.ts'

/**
 * POSTs to a SQL function as a signed-in user, through PostgREST, as the desk does. The raw
 * response, for tests that look at its status (or call functions that answer 204 with no body).
 */
export function postRpc(b: Backend, token: string, fn: string, args: Record<string, unknown> = {}) {
  return fetch(`${b.standIn.url}/rest/v1/rpc/${fn}`, {
    method: 'POST',
    headers: { apikey: b.keys.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  })
}

/** Calls a SQL function as a signed-in agent that must succeed; its JSON answer. */
export async function agentRpc(b: Backend, token: string, fn: string, args: Record<string, unknown>) {
  const response = await postRpc(b, token, fn, args)
  if (!response.ok) throw new Error(`${fn}: HTTP ${response.status} ${await response.text()}`)
  return response.json() as Promise<unknown>
}
