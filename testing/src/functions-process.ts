import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.ts'

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url))

export interface FunctionsProcess {
  url: string
  stop(): Promise<void>
}

/**
 * The real functions (the Worker under `wrangler dev`, workerd) as their own process, as
 * `./relevo dev` runs them, on free loopback ports. Secrets go through an env file, never argv.
 */
export async function startFunctions(env: Record<string, string>): Promise<FunctionsProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'relevo-e2e-functions-'))
  const envFile = join(dir, 'functions.env')
  await writeFile(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n'),
    { mode: 0o600 },
  )
  const [port, inspector] = [await freePort(), await freePort()]
  let output = ''
  const child: ChildProcess = spawn(
    join(functionsDir, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '--config',
      '../wrangler.toml',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspector),
      '--env-file',
      envFile,
      '--show-interactive-dev-session=false',
    ],
    {
      cwd: functionsDir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0', XDG_CONFIG_HOME: dir },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout?.on('data', (c) => (output += String(c)))
  child.stderr?.on('data', (c) => (output += String(c)))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(-child.pid, 'SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  // Ready when /health answers; an exit before that is a failure with wrangler's output.
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`wrangler dev exited (${child.exitCode}) before serving:\n${output.slice(-3000)}`)
    }
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return { url, stop }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
