import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@relevo/testing/wait-for'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { SessionManager } from '../session/session-manager.ts'
import { MemoryStore } from '../store/memory-store.ts'
import { TransportError } from './errors.ts'
import {
  buildClientOptions,
  chromiumArgs,
  type WhatsAppWebOptions,
  WhatsAppWebTransport,
} from './whatsapp-web.ts'

const chromium = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium'
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function options(overrides: Partial<WhatsAppWebOptions> = {}): Promise<WhatsAppWebOptions> {
  const dir = await mkdtemp(join(tmpdir(), 'relevo-wweb-'))
  dirs.push(dir)
  return {
    sessionPath: join(dir, 'session'),
    chromiumPath: chromium,
    cachePath: join(dir, 'cache'),
    webVersion: null,
    webVersionUrl: null,
    groupsEnabled: false,
    logger: pino({ level: 'silent' }),
    // No network for the browser: a proxy on the discard port refuses every connection.
    extraChromiumArgs: ['--proxy-server=http://127.0.0.1:9'],
    ...overrides,
  }
}

/** Chromium processes whose command line mentions `marker` (our per-test profile dir). */
async function chromiumProcesses(marker: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(marker) && /chrom/i.test(cmdline)) pids.push(Number(entry))
  }
  return pids
}

describe('whatsapp-web client options', () => {
  it('uses Debian Chromium, Docker-safe flags, LocalAuth under the session path and a local version cache', async () => {
    const o = await options({ extraChromiumArgs: [] })
    const built = buildClientOptions(o)
    expect(built.puppeteer?.executablePath).toBe(chromium)
    expect(built.puppeteer?.args).toEqual(chromiumArgs)
    expect(built.puppeteer?.args).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-dev-shm-usage']))
    expect(built.webVersionCache).toEqual({ type: 'local', path: o.cachePath, strict: false })
    expect(built.webVersion).toBeUndefined()
    expect((built.authStrategy as unknown as { dataPath: string }).dataPath).toContain(o.sessionPath)
  })

  it('pins a WhatsApp Web version through a remote cache when configured', async () => {
    const built = buildClientOptions(
      await options({
        webVersion: '2.3000.1017054665',
        webVersionUrl: 'https://cache.example/{version}.html',
      }),
    )
    expect(built.webVersion).toBe('2.3000.1017054665')
    expect(built.webVersionCache).toEqual({
      type: 'remote',
      remotePath: 'https://cache.example/{version}.html',
      strict: false,
    })
  })
})

describe('whatsapp-web with real Debian Chromium and no network', () => {
  it('has Chromium installed at PUPPETEER_EXECUTABLE_PATH', () => {
    expect(existsSync(chromium), `install it: apt-get install -y chromium (looked at ${chromium})`).toBe(true)
  })

  it('fails start() with a clear unreachable error and leaves no Chromium running', async () => {
    const o = await options()
    const transport = new WhatsAppWebTransport(o)
    const error = await transport.start().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TransportError)
    expect((error as TransportError).code).toBe('whatsapp_web_unreachable')
    expect((error as TransportError).message).toMatch(/^WhatsApp Web unreachable: .*ERR_/)
    // LocalAuth did create the profile, so Chromium really ran.
    expect(existsSync(join(o.sessionPath, 'session'))).toBe(true)
    await waitFor(async () => (await chromiumProcesses(o.sessionPath)).length === 0, 'Chromium to exit')
  })

  it('ends the session in disconnected with the reason and a scheduled retry, and stops cleanly', async () => {
    const o = await options()
    const store = new MemoryStore()
    const session = new SessionManager({
      transport: new WhatsAppWebTransport(o),
      store,
      logger: pino({ level: 'silent' }),
      heartbeatMs: 60_000,
      reconnectMs: 60_000,
      onReady: () => undefined,
    })
    await session.start()
    await session.flush()
    expect(session.snapshot.status).toBe('disconnected')
    expect(session.snapshot.lastError).toMatch(/WhatsApp Web unreachable/)
    expect(session.snapshot.reconnectAttempts).toBe(1)
    expect(store.statuses.map((s) => s.status)).toEqual(['starting', 'disconnected'])
    await session.stop()
    await waitFor(async () => (await chromiumProcesses(o.sessionPath)).length === 0, 'Chromium to exit')
  })
})
