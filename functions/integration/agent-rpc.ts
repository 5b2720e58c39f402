import type { Backend } from './backend.ts'

/** Calls a SQL function as a signed-in agent, through PostgREST, as the desk does. */
export async function agentRpc(b: Backend, token: string, fn: string, args: Record<string, unknown>) {
  const response = await fetch(`${b.standIn.url}/rest/v1/rpc/${fn}`, {
    method: 'POST',
    headers: { apikey: b.keys.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  })
  if (!response.ok) throw new Error(`${fn}: HTTP ${response.status} ${await response.text()}`)
  return response.json() as Promise<unknown>
}
