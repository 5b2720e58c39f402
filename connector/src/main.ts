/**
 * Entry point: reads the environment, builds the adapters, starts the connector and its HTTP
 * port, and stops gracefully on SIGTERM/SIGINT (finish the send in flight, release claimed
 * rows, close Chromium so its profile is flushed). Only wiring lives here.
 */
import { serve } from '@hono/node-server'
import pino from 'pino'
import qrcodeTerminal from 'qrcode-terminal'
import { ConfigError, parseConfig } from './config.ts'
import { startConnector } from './connector.ts'
import { createApp } from './http/app.ts'
import { SupabaseMediaStorage } from './store/supabase-media-storage.ts'
import { SupabaseStore } from './store/supabase-store.ts'
import { SimulatorTransport } from './whatsapp/simulator.ts'
import type { WhatsAppTransport } from './whatsapp/transport.ts'

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>
  try {
    config = parseConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(78) // EX_CONFIG
    }
    throw error
  }
  const logger = pino({ level: config.logLevel, base: { service: 'connector', channelId: config.channelId } })

  let transport: WhatsAppTransport
  let simulator: SimulatorTransport | undefined
  if (config.transport === 'simulator') {
    simulator = new SimulatorTransport({ linked: config.simulatorLinked })
    transport = simulator
  } else {
    // Loaded only when used: the simulator never pulls in puppeteer.
    const { WhatsAppWebTransport } = await import('./whatsapp/whatsapp-web.ts')
    transport = new WhatsAppWebTransport({
      sessionPath: config.sessionPath,
      chromiumPath: config.chromiumPath,
      webVersion: config.webVersion,
      webVersionUrl: config.webVersionUrl,
      cachePath: `${config.dataDir}/wweb-cache`,
      groupsEnabled: config.groupsEnabled,
      logger: logger.child({ transport: 'whatsapp-web' }),
    })
  }

  const store = new SupabaseStore({
    url: config.supabaseUrl,
    credentials: config.credentials,
    channelId: config.channelId,
    workerId: config.workerId,
    logger,
  })
  const storage = new SupabaseMediaStorage({ url: config.supabaseUrl, credentials: config.credentials })
  const connector = await startConnector({
    channelId: config.channelId,
    transport,
    store,
    storage,
    logger,
    bufferPath: config.bufferPath,
    mediaSpoolPath: config.mediaSpoolPath,
    mediaLimits: config.mediaLimits,
    checkpointPath: config.checkpointPath,
    outboxPollMs: config.outboxPollMs,
    outboxLeaseSeconds: config.outboxLeaseSeconds,
    outboxMaxAttempts: config.outboxMaxAttempts,
    heartbeatMs: config.heartbeatMs,
    printQr: (qr) => qrcodeTerminal.generate(qr, { small: true }),
  })
  const app = createApp({
    health: connector.health,
    session: () => connector.session.snapshot,
    logger,
    simulator,
    token: config.token,
  })
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
    logger.info({ port: info.port, host: config.host, transport: config.transport }, 'connector listening'),
  )

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 25_000)
    force.unref()
    server.close()
    await connector
      .stop()
      .catch((error: unknown) => logger.error({ err: (error as Error).message }, 'stop failed'))
    simulator?.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  process.stderr.write(`connector failed to start: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
