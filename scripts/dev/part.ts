import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/** One process of the local system, with a coloured prefix on every line it prints. */
export interface PartSpec {
  name: string
  color: number
  command: string
  args: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  /** An address that answers (any HTTP status) once the part is ready. */
  readyUrl: string
  /** Makes the lines to print from each line the part printed (e.g. a log object into one sentence). */
  format?: () => (line: string) => string[]
}

export interface RunningPart {
  spec: PartSpec
  child: ChildProcess
  exited: Promise<number | null>
}

const width = 10

export function prefix(name: string, color: number): string {
  return `\x1b[${color}m${name.padEnd(width)}\x1b[0m│ `
}

export function startPart(spec: PartSpec): RunningPart {
  // detached: the part gets its own process group, so stopping it also stops the
  // grandchildren (wrangler → workerd, pnpm → vite).
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const label = prefix(spec.name, spec.color)
  for (const stream of [child.stdout, child.stderr]) {
    const format = spec.format?.() ?? ((line: string) => [line])
    createInterface({ input: stream }).on('line', (line) => {
      for (const out of format(line)) process.stdout.write(`${label}${out}\n`)
    })
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { spec, child, exited }
}

export async function waitUntilReady(part: RunningPart, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exitedEarly = false
  void part.exited.then(() => {
    exitedEarly = true
  })
  while (Date.now() < deadline) {
    if (exitedEarly) throw new Error(`${part.spec.name} exited before it was ready: read its lines above`)
    try {
      await fetch(part.spec.readyUrl, { signal: AbortSignal.timeout(1000) })
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
  }
  throw new Error(`${part.spec.name} was not ready at ${part.spec.readyUrl} after ${timeoutMs / 1000}s`)
}

export async function stopPart(part: RunningPart): Promise<void> {
  if (part.child.pid === undefined) return
  const group = -part.child.pid
  if (!signalGroup(group, 'SIGTERM')) return
  // The part's own process (pnpm) may exit before its children (wrangler, workerd, PGlite
  // flushing its files): wait for the whole group, then force what is left.
  const deadline = Date.now() + 8000
  while (groupAlive(group) && Date.now() < deadline) await sleep(100)
  if (groupAlive(group)) signalGroup(group, 'SIGKILL')
}

function signalGroup(group: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(group, signal)
    return true
  } catch {
    return false // the group is already gone
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(group, 0) // signal 0: only asks whether any process of the group exists
    return true
  } catch {
    return false
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
