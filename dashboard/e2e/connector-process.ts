import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const connectorDir = fileURLToPath(new URL('../../connector/', import.meta.url))

export interface SimulatedPhone {
  url: string
  /** The customer writes from their phone (POST /simulator/messages). */
  customerWrites(from: string, name: string, body: string): Promise<void>
  /** What the customer's phone received so far (GET /simulator/outbox). */
  received(): Promise<{ chatId: string; body: string; ack: string }[]>
  stop(): Promise<void>
}

/**
 * Runs the real connector (`connector/src/main.ts`) with the simulator transport against the
 * stand-in, as its own process: the dashboard never imports another package's code. Port 0;
 * the listening port is read from its pino log line.
 */
export async function startSimulatedPhone(
  supabaseUrl: string,
  serviceRoleKey: string,
): Promise<SimulatedPhone> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relevo-e2e-connector-'))
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: connectorDir,
    env: {
      ...process.env,
      SUPABASE_URL: supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
      WHATSAPP_TRANSPORT: 'simulator',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      OUTBOX_POLL_MS: '500',
      HEARTBEAT_MS: '2000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk)
  })
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      const entry = safeJson(line)
      if (entry?.msg === 'connector listening' && typeof entry.port === 'number') resolve(entry.port)
    })
    child.once('exit', (code) =>
      reject(new Error(`connector exited with ${code} before listening:\n${stderr}`)),
    )
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    async customerWrites(from, name, body) {
      const res = await fetch(`${url}/simulator/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from, name, body }),
      })
      if (res.status !== 202)
        throw new Error(`simulator refused the message: ${res.status} ${await res.text()}`)
    },
    async received() {
      const res = await fetch(`${url}/simulator/outbox`)
      const json = (await res.json()) as { messages: { chatId: string; body: string; ack: string }[] }
      return json.messages
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return undefined
  }
}
