import { describe, expect, it } from 'vitest'
import { composeService, connectorEnv, dockerRunCommand } from './connector-command.ts'

const target = {
  supabaseUrl: 'https://abc.supabase.co',
  anonKey: 'anon-key-0123456789',
  channelId: '3f2a9c10-0000-4000-8000-000000000042',
  connectorKey: `11111111-2222-4333-8444-555555555555.${'ab'.repeat(24)}`,
}

describe('connector commands', () => {
  it('docker run carries the channel, its credential and the WhatsApp Web transport', () => {
    expect(dockerRunCommand(target)).toBe(
      [
        'docker run -d --name relevo-wa-3f2a9c10 --init --restart unless-stopped --stop-timeout 30 --memory 1g',
        '-e SUPABASE_URL=https://abc.supabase.co',
        '-e SUPABASE_ANON_KEY=anon-key-0123456789',
        `-e CONNECTOR_KEY=${target.connectorKey}`,
        '-e CHANNEL_ID=3f2a9c10-0000-4000-8000-000000000042',
        '-e WHATSAPP_TRANSPORT=whatsapp-web',
        '-v relevo-wa-3f2a9c10:/data relevo-connector',
      ].join(' \\\n  '),
    )
  })

  it('the compose service lists the same variables and keeps the session in its volume', () => {
    const compose = composeService(target)
    for (const [key, value] of connectorEnv(target)) expect(compose).toContain(`      ${key}: "${value}"`)
    expect(compose).toContain('      - relevo-wa-3f2a9c10:/data')
    expect(compose).not.toContain('network_mode')
  })

  it('a project on loopback is reached through the host network', () => {
    const local = { ...target, supabaseUrl: 'http://127.0.0.1:54321' }
    expect(dockerRunCommand(local)).toContain('--network host')
    expect(composeService(local)).toContain('    network_mode: host')
  })
})
