/**
 * Test support: a connector on the simulator transport with a given store, its HTTP app,
 * and a temp data dir. `stop()` is the graceful path; `kill()` abandons it like `kill -9`
 * (the caller makes its store unreachable first so nothing more is written).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO_CHANNEL_ID } from '@relevo/testing/demo-seed'
import type { Hono } from 'hono'
import pino from 'pino'
import { type Connector, startConnector } from '../connector.ts'
import { createApp } from '../http/app.ts'
import type { MediaLimits } from '../media/media-limits.ts'
import type { MediaStorage } from '../store/media-storage.ts'
import { MemoryMediaStorage } from '../store/memory-media-storage.ts'
import type { MessageStore } from '../store/message-store.ts'
import { SimulatorTransport } from '../whatsapp/simulator.ts'

export const channelId = DEMO_CHANNEL_ID

export interface Harness {
  connector: Connector
  sim: SimulatorTransport
  app: Hono
  dir: string
  post(path: string, body: unknown): Promise<Response>
  stop(): Promise<void>
}

export async function startHarness(
  store: MessageStore,
  options: {
    linked?: boolean
    dir?: string
    sim?: SimulatorTransport
    leaseSeconds?: number
    maxAttempts?: number
    pollMs?: number
    /** Defaults to an in-memory bucket. */
    storage?: MediaStorage
    mediaLimits?: MediaLimits
    mediaSweepMs?: number
  } = {},
): Promise<Harness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'relevo-connector-')))
  const sim = options.sim ?? new SimulatorTransport({ linked: options.linked ?? true })
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' })
  const connector = await startConnector({
    channelId,
    transport: sim,
    store,
    storage: options.storage ?? new MemoryMediaStorage(),
    logger,
    bufferPath: join(dir, 'buffer.jsonl'),
    mediaSpoolPath: join(dir, 'media-spool'),
    ...(options.mediaLimits ? { mediaLimits: options.mediaLimits } : {}),
    ...(options.mediaSweepMs ? { mediaSweepMs: options.mediaSweepMs } : {}),
    checkpointPath: join(dir, 'checkpoint.json'),
    outboxPollMs: options.pollMs ?? 100,
    outboxLeaseSeconds: options.leaseSeconds ?? 30,
    outboxMaxAttempts: options.maxAttempts ?? 3,
    outboxStopGraceMs: 200,
    heartbeatMs: 100,
    reconnectMs: 10,
  })
  const app = createApp({
    health: connector.health,
    session: () => connector.session.snapshot,
    logger,
    simulator: sim,
  })
  return {
    connector,
    sim,
    app,
    dir,
    post: (path, body) =>
      Promise.resolve(
        app.request(path, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'Content-Type': 'application/json' },
        }),
      ),
    async stop() {
      await connector.stop()
    },
  }
}

/**
 * The harnesses of one test file: `start` like startHarness, `stopAll` in afterEach stops each,
 * deletes the simulator's files and the data dir; `forget` hands one over to the test to stop itself.
 */
export function harnesses() {
  const running: Harness[] = []
  return {
    async start(store: MessageStore, options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
      const h = await startHarness(store, options)
      running.push(h)
      return h
    },
    forget(h: Harness): void {
      running.splice(running.indexOf(h), 1)
    },
    async stopAll(): Promise<void> {
      for (const h of running.splice(0)) {
        await h.stop()
        h.sim.close()
        await removeDir(h.dir)
      }
    },
  }
}

export async function removeDir(dir: string): Promise<void> {
  // The media spool may still be closing a file: rm retries on ENOTEMPTY rather than failing the test.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })
}
