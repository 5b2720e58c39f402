import type { DevConfig } from './parts.ts'

/**
 * The connector key `./relevo dev` gives the connector: CONNECTOR_KEY from the environment, else
 * the seed's demo credential on the stand-in, checked by signing in (a local database made before
 * credentials existed has none: then the connector uses the service role, and says so).
 */
export async function devConnectorKey(
  config: DevConfig,
  demoKey: string,
  say: (line: string) => void,
): Promise<string | null> {
  if (process.env.CONNECTOR_KEY) return process.env.CONNECTOR_KEY
  if (!config.standIn) return null
  const [credentialId, password] = demoKey.split('.')
  const response = await fetch(`${config.supabaseUrl}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: config.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${credentialId}@connector.relevo.invalid`, password }),
  }).catch(() => null)
  if (response?.ok) return demoKey
  say(
    `the local database has no demo connector credential (made before credentials existed; ${config.stateDir}/db): ` +
      'the connector uses the service role. Delete that folder for a fresh seed.',
  )
  return null
}
