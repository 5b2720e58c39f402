/**
 * @module
 * What an admin runs to serve one WhatsApp Web number: the connector's image with exactly the
 * variables its config reads (connector/src/config.ts), for one channel and its credential
 * (ADR 074). Shown as `docker run` and as a compose service; both carry the same variables.
 */

export interface ConnectorTarget {
  supabaseUrl: string
  anonKey: string
  channelId: string
  /** `<credential id>.<secret>`, as issue_connector_credential returned it (shown once). */
  connectorKey: string
}

export const CONNECTOR_IMAGE = 'relevo-connector'

/** The connector's environment, in the order the commands list it. */
export function connectorEnv(target: ConnectorTarget): Array<[string, string]> {
  return [
    ['SUPABASE_URL', target.supabaseUrl],
    ['SUPABASE_ANON_KEY', target.anonKey],
    ['CONNECTOR_KEY', target.connectorKey],
    ['CHANNEL_ID', target.channelId],
    ['WHATSAPP_TRANSPORT', 'whatsapp-web'],
  ]
}

/** One container and one volume per number, named after the channel (its session lives in /data). */
export function containerName(channelId: string): string {
  return `relevo-wa-${channelId.slice(0, 8)}`
}

/** A project on this machine's loopback is reached from the container through the host's network. */
function onLoopback(url: string): boolean {
  const host = URL.parse(url)?.hostname ?? ''
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.')
}

export function dockerRunCommand(target: ConnectorTarget): string {
  const name = containerName(target.channelId)
  const lines = [
    `docker run -d --name ${name} --init --restart unless-stopped --stop-timeout 30 --memory 1g`,
    ...(onLoopback(target.supabaseUrl) ? ['--network host'] : []),
    ...connectorEnv(target).map(([key, value]) => `-e ${key}=${value}`),
    `-v ${name}:/data ${CONNECTOR_IMAGE}`,
  ]
  return lines.join(' \\\n  ')
}

export function composeService(target: ConnectorTarget): string {
  const name = containerName(target.channelId)
  return [
    'services:',
    `  ${name}:`,
    `    image: ${CONNECTOR_IMAGE}`,
    '    init: true',
    '    restart: unless-stopped',
    '    stop_grace_period: 30s',
    '    mem_limit: 1g',
    ...(onLoopback(target.supabaseUrl) ? ['    network_mode: host'] : []),
    '    environment:',
    ...connectorEnv(target).map(([key, value]) => `      ${key}: "${value}"`),
    '    volumes:',
    `      - ${name}:/data`,
    'volumes:',
    `  ${name}: {}`,
  ].join('\n')
}
