import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The whole local system, started exactly as a newcomer starts it (`scripts/dev.ts`, the
 * README's `./relevo dev`), in a fresh state folder so every run begins from the seed.
 */
export interface System {
  /** Everything the parts printed so far (for failure messages). */
  output(): string
  stop(): Promise<void>
}

const root = fileURLToPath(new URL('..', import.meta.url))

export async function startSystem(env: Record<string, string>): Promise<System> {
  const stateDir = await mkdtemp(join(tmpdir(), 'relevo-e2e-'))
  let output = ''
  const child: ChildProcess = spawn(join(root, 'node_modules/.bin/tsx'), ['scripts/dev.ts'], {
    cwd: root,
    env: { ...process.env, ...env, RELEVO_STATE_DIR: stateDir, FORCE_COLOR: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Relevo is running.')) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    void exited.then((code) =>
      reject(new Error(`./relevo dev exited (${code}) before it was ready:\n${tail(output)}`)),
    )
  })
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`./relevo dev not ready after 240 s:\n${tail(output)}`)),
      240_000,
    ).unref(),
  )
  const system: System = {
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.pid) {
        // dev.ts stops every part on SIGINT, like Ctrl-C; the group kill is the fallback.
        child.kill('SIGINT')
        const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)])
        if (!stopped) process.kill(-child.pid, 'SIGKILL')
      }
      await rm(stateDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
    },
  }
  try {
    await Promise.race([ready, timeout])
  } catch (error) {
    await system.stop()
    throw error
  }
  return system
}

function tail(text: string): string {
  return text.split('\n').slice(-60).join('\n')
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
