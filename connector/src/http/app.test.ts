import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Health } from '../connector.ts'
import type { SessionSnapshot } from '../session/session-manager.ts'
import { createApp } from './app.ts'

const health = (ok: boolean): Health => ({
  ok,
  status: ok ? 'ready' : 'disconnected',
  transport: 'whatsapp-web',
  phone: null,
  lastHeartbeatAt: null,
  databaseReachable: true,
  lastError: ok ? null : 'WhatsApp Web unreachable: net::ERR_NAME_NOT_RESOLVED',
  bufferDepth: 2,
  sendsInFlight: 0,
  ingested: 0,
  duplicates: 0,
  sent: 0,
  failed: 0,
})
const session = (qr: SessionSnapshot['qr']): SessionSnapshot => ({
  status: qr ? 'qr' : 'disconnected',
  qr,
  phone: null,
  lastHeartbeatAt: null,
  databaseReachable: null,
  lastError: null,
  reconnectAttempts: 0,
})
const logger = pino({ level: 'silent' })

describe('connector HTTP app', () => {
  it('answers /health 200 when serving and 503 with the reason when not', async () => {
    const up = createApp({ health: () => health(true), session: () => session(null), logger })
    expect((await up.request('/health')).status).toBe(200)
    const down = createApp({ health: () => health(false), session: () => session(null), logger })
    const res = await down.request('/health')
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({
      status: 'disconnected',
      bufferDepth: 2,
      lastError: expect.stringMatching(/unreachable/),
    })
  })

  it('serves the current QR as SVG with its expiry, and 404 without one', async () => {
    const expiresAt = '2026-11-25T15:00:00.000Z'
    const app = createApp({
      health: () => health(true),
      session: () => session({ text: '2@abc,def', expiresAt }),
      logger,
    })
    const res = await app.request('/qr')
    expect(res.headers.get('content-type')).toBe('image/svg+xml')
    expect(res.headers.get('x-qr-expires-at')).toBe(expiresAt)
    expect(await res.text()).toMatch(/^<svg/)
    const none = createApp({ health: () => health(true), session: () => session(null), logger })
    expect(await (await none.request('/qr')).json()).toEqual({
      code: 'no_qr',
      message: 'No QR to scan: the session is disconnected',
    })
  })

  it('has no simulator routes with the whatsapp-web transport', async () => {
    const app = createApp({ health: () => health(true), session: () => session(null), logger })
    const res = await app.request('/simulator/outbox')
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'not_found' })
  })
})
