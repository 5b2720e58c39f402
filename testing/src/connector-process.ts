/**
 * Test and bench support: `src/main.ts` as a real process on the simulator transport, ready
 * once its /health answers, and a free loopback port to give it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { type AddressInfo, createServer } from 'node:net'
import { waitFor } from './wait-for.ts'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export interface ConnectorProcessOptions {
  supabaseUrl: string
  serviceRoleKey: string
  dataDir: string
  logLevel?: string
}

export async function spawnConnector(
  o: ConnectorProcessOptions,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('../..', import.meta.url),
    env: {
      ...process.env,
      SUPABASE_URL: o.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: o.serviceRoleKey,
      WHATSAPP_TRANSPORT: 'simulator',
      PORT: String(port),
      DATA_DIR: o.dataDir,
      LOG_LEVEL: o.logLevel ?? 'silent',
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
  return { child, url }
}
