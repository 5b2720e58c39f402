/**
 * @module
 * The real connector (`connector/src/main.ts`) on the simulator transport, as its own process
 * against a stand-in: ready once its /health answers. The dashboard's and the system's tests
 * never import the connector's code; its own tests and bench use the same process.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.ts'
import { waitFor } from './wait-for.ts'

const connectorDir = fileURLToPath(new URL('../../connector/', import.meta.url))

export interface ConnectorProcessOptions {
  supabaseUrl: string
  /** Who the connector is: a channel credential with the anon key (ADR 074), or the service role. */
  auth: { connectorKey: string; anonKey: string } | { serviceRoleKey: string }
  /** The session and buffer folder; a temporary one (removed on stop) when absent. */
  dataDir?: string
  logLevel?: string
  /** More environment for the connector (OUTBOX_POLL_MS, HEARTBEAT_MS, …). */
  env?: Record<string, string>
}

export interface ConnectorProcess {
  child: ChildProcess
  url: string
  /** SIGTERM, then waits for the exit (a graceful stop). */
  stop(): Promise<void>
}

export async function spawnConnector(options: ConnectorProcessOptions): Promise<ConnectorProcess> {
  const port = await freePort()
  const ownDir = options.dataDir ? null : await mkdtemp(join(tmpdir(), 'relevo-connector-'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: connectorDir,
    env: {
      ...process.env,
      SUPABASE_URL: options.supabaseUrl,
      ...('connectorKey' in options.auth
        ? { CONNECTOR_KEY: options.auth.connectorKey, SUPABASE_ANON_KEY: options.auth.anonKey }
        : { SUPABASE_SERVICE_ROLE_KEY: options.auth.serviceRoleKey }),
      WHATSAPP_TRANSPORT: 'simulator',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: options.dataDir ?? ownDir ?? '',
      LOG_LEVEL: options.logLevel ?? 'silent',
      ...options.env,
    },
    stdio: 'ignore',
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    () =>
      fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ),
    'connector process /health',
    60_000,
  )
  return {
    child,
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      if (ownDir) await rm(ownDir, { recursive: true, force: true })
    },
  }
}
