import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from './config.ts'

const key = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.service-role'
/** Most tests are about other variables: a credential is set, as it must be. */
const withServiceRole = (env: Record<string, string>) =>
  parseConfig({ SUPABASE_SERVICE_ROLE_KEY: key, ...env })

describe('parseConfig', () => {
  it('applies the local defaults: stand-in URL, seed channel, simulator, port 3100', () => {
    const config = withServiceRole({ DATA_DIR: '/data' })
    expect(config).toMatchObject({
      supabaseUrl: 'http://127.0.0.1:54321',
      channelId: '00000000-0000-4000-8000-000000000101',
      transport: 'simulator',
      port: 3100,
      sessionPath: '/data/session',
      bufferPath: '/data/buffer.jsonl',
      groupsEnabled: false,
      chromiumPath: '/usr/bin/chromium',
      mediaSpoolPath: '/data/media-spool',
      mediaLimits: { maxBytes: 16 * 1_048_576, documentMaxBytes: 100 * 1_048_576 },
    })
  })

  it('takes the media size caps in MB and keeps the spool beside the buffer', () => {
    const config = withServiceRole({
      BUFFER_PATH: '/volume/buf/buffer.jsonl',
      MEDIA_MAX_MB: '5',
      MEDIA_DOCUMENT_MAX_MB: '0.5',
    })
    expect(config.mediaSpoolPath).toBe('/volume/buf/media-spool')
    expect(config.mediaLimits).toEqual({ maxBytes: 5 * 1_048_576, documentMaxBytes: 524_288 })
    expect(() => withServiceRole({ MEDIA_MAX_MB: '0' })).toThrow(/MEDIA_MAX_MB/)
  })

  it('names every invalid variable in one error', () => {
    const attempt = () =>
      parseConfig({
        CHANNEL_ID: 'nope',
        WHATSAPP_TRANSPORT: 'baileys',
        PORT: 'x',
        WHATSAPP_WEB_VERSION: 'latest',
      })
    expect(attempt).toThrow(ConfigError)
    try {
      attempt()
    } catch (error) {
      const message = (error as Error).message
      for (const name of ['CHANNEL_ID', 'WHATSAPP_TRANSPORT', 'PORT', 'WHATSAPP_WEB_VERSION']) {
        expect(message).toContain(name)
      }
    }
  })

  it('takes the channel credential (with the anon key) over the service role, and needs one of them', () => {
    const connectorKey = `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}.${'ab'.repeat(24)}`
    const config = parseConfig({
      CONNECTOR_KEY: connectorKey,
      SUPABASE_ANON_KEY: key,
      SUPABASE_SERVICE_ROLE_KEY: key,
    })
    expect(config.credentials).toEqual({
      kind: 'connector',
      anonKey: key,
      credentialId: '00000000-0000-4000-8000-000000000000',
      secret: 'ab'.repeat(24),
    })
    expect(parseConfig({ SUPABASE_SERVICE_ROLE_KEY: key }).credentials).toEqual({
      kind: 'service_role',
      serviceRoleKey: key,
    })
    expect(() => parseConfig({})).toThrow(/CONNECTOR_KEY: set CONNECTOR_KEY and SUPABASE_ANON_KEY/)
    expect(() => parseConfig({ CONNECTOR_KEY: connectorKey })).toThrow(/CONNECTOR_KEY/)
    expect(() => parseConfig({ CONNECTOR_KEY: 'sb_secret_x', SUPABASE_ANON_KEY: key })).toThrow(/48 hex/)
  })

  it('reads booleans and overrides', () => {
    const config = withServiceRole({
      WHATSAPP_TRANSPORT: 'whatsapp-web',
      WHATSAPP_GROUPS_ENABLED: 'true',
      WHATSAPP_WEB_SESSION_PATH: '/sessions/a',
      SIMULATOR_LINKED: 'false',
    })
    expect(config).toMatchObject({
      transport: 'whatsapp-web',
      groupsEnabled: true,
      sessionPath: '/sessions/a',
      simulatorLinked: false,
    })
  })
})
