import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Health } from '../connector.ts'
import type { SessionSnapshot } from '../session/session-manager.ts'
import { SimulatorTransport } from '../whatsapp/simulator.ts'
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
  mediaStored: 0,
  mediaFailed: 0,
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
const TOKEN = 'connector-token-0123456789abcdef'
const bearer = { headers: { authorization: `Bearer ${TOKEN}` } }

describe('connector HTTP app', () => {
  it('answers /health 200 when serving and 503 with the reason when not', async () => {
    const up = createApp({ health: () => health(true), session: () => session(null), logger, token: TOKEN })
    expect((await up.request('/health')).status).toBe(200)
    const down = createApp({
      health: () => health(false),
      session: () => session(null),
      logger,
      token: TOKEN,
    })
    const res = await down.request('/health', bearer)
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
      token: TOKEN,
    })
    const res = await app.request('/qr', bearer)
    expect(res.headers.get('content-type')).toBe('image/svg+xml')
    expect(res.headers.get('x-qr-expires-at')).toBe(expiresAt)
    expect(await res.text()).toMatch(/^<svg/)
    const none = createApp({ health: () => health(true), session: () => session(null), logger, token: TOKEN })
    expect(await (await none.request('/qr', bearer)).json()).toEqual({
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

  it('with whatsapp-web, a bare /health says only ok or not, and /qr needs the bearer token', async () => {
    const qr = { text: '2@abc,def', expiresAt: '2026-11-25T15:00:00.000Z' }
    const app = createApp({ health: () => health(false), session: () => session(qr), logger, token: TOKEN })
    const bare = await app.request('/health')
    expect(bare.status).toBe(503)
    expect(await bare.json()).toEqual({ ok: false })
    const wrong = { headers: { authorization: `Bearer ${TOKEN}x` } }
    expect(await (await app.request('/health', wrong)).json()).toEqual({ ok: false })
    for (const init of [undefined, wrong, { headers: { authorization: TOKEN } }]) {
      const res = await app.request('/qr', init)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer')
      expect(await res.text()).not.toContain('2@abc')
    }
    // Without CONNECTOR_TOKEN nothing unlocks the QR; the message says what to set.
    const unset = createApp({ health: () => health(true), session: () => session(qr), logger })
    const refused = await unset.request('/qr', bearer)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ message: expect.stringContaining('CONNECTOR_TOKEN') })
  })

  it('with the simulator, the QR and detailed health stay open for local development', async () => {
    const sim = new SimulatorTransport({ linked: false })
    const qr = { text: '2@abc,def', expiresAt: '2026-11-25T15:00:00.000Z' }
    const app = createApp({ health: () => health(true), session: () => session(qr), logger, simulator: sim })
    expect((await app.request('/qr')).status).toBe(200)
    expect(await (await app.request('/health')).json()).toMatchObject({ bufferDepth: 2 })
  })

  it('answers 415 to bodies that are not JSON, and never sends CORS headers', async () => {
    const sim = new SimulatorTransport({ linked: true })
    const app = createApp({
      health: () => health(true),
      session: () => session(null),
      logger,
      simulator: sim,
    })
    const body = JSON.stringify({ from: '5215500000001', body: 'hola' })
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      undefined,
    ]) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {}
      const res = await app.request('/simulator/messages', { method: 'POST', body, headers })
      expect(res.status).toBe(415)
      expect(await res.json()).toMatchObject({ code: 'unsupported_media_type' })
    }
    expect(sim.outbox()).toEqual([])
    const origin = { origin: 'https://evil.example' }
    const preflight = await app.request('/simulator/messages', {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'POST' },
    })
    const plain = await app.request('/health', { headers: origin })
    for (const res of [preflight, plain]) {
      expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([])
    }
  })
})
