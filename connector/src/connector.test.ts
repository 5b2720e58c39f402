import { waitFor } from '@relevo/testing/wait-for'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryStore } from './store/memory-store.ts'
import { harnesses, removeDir, startHarness } from './testing/harness.ts'

const pool = harnesses()
const start = pool.start
afterEach(() => pool.stopAll())

describe('connector flows on the simulator with a fake store', () => {
  it('stores a customer message once, even when WhatsApp reports the same id twice', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    const first = await h.post('/simulator/messages', {
      from: '5215512345678',
      name: 'Lucía',
      body: 'Hola',
      id: 'false_5215512345678@c.us_3EB0AA',
    })
    expect(first.status).toBe(202)
    await h.post('/simulator/messages', {
      from: '5215512345678',
      name: 'Lucía',
      body: 'Hola',
      id: 'false_5215512345678@c.us_3EB0AA',
    })
    await h.connector.ingest.idle()
    expect(store.rows).toHaveLength(1)
    expect(store.rows[0]).toMatchObject({ direction: 'in', author: 'customer', body: 'Hola' })
    expect(store.conversations.get('5215512345678@c.us')?.customerName).toBe('Lucía')
    expect(h.connector.health().duplicates).toBe(1)
  })

  it('sends a queued message once, records its id, then moves it to delivered and read on acks', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    const row = store.enqueue('5215512345678@c.us', 'Tu pedido va en camino')
    await waitFor(() => row.status === 'sent', 'sent')
    const outbox = (await (await h.app.request('/simulator/outbox')).json()) as {
      messages: Array<{ waMessageId: string; body: string }>
    }
    expect(outbox.messages.map((m) => m.body)).toEqual(['Tu pedido va en camino'])
    expect(row.waMessageId).toBe(outbox.messages[0]?.waMessageId)
    // The echo of our own send (message_create) must not become a phone takeover.
    await h.connector.ingest.idle()
    expect(store.rows.filter((r) => r.author === 'phone')).toHaveLength(0)
    expect(store.conversations.get('5215512345678@c.us')?.mode).toBe('ai')
    expect(
      (await h.post('/simulator/acks', { waMessageId: row.waMessageId, status: 'delivered' })).status,
    ).toBe(200)
    await waitFor(() => row.status === 'delivered', 'delivered')
    await h.post('/simulator/acks', { waMessageId: row.waMessageId, status: 'read' })
    await waitFor(() => row.status === 'read', 'read')
    // More polls never send it again.
    h.connector.outbox.wake()
    await h.connector.ingest.idle()
    expect(h.sim.outbox()).toHaveLength(1)
  })

  it('shows "typing…" in the chat the AI starts composing for', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    await waitFor(() => h.connector.health().status === 'ready', 'the session is ready')
    store.announceAiComposing('5215512345678@c.us')
    await waitFor(() => h.sim.typingChats().length > 0, 'typing shown')
    expect(h.sim.typingChats()).toEqual(['5215512345678@c.us'])
  })

  it('keeps the order of several queued messages within a chat', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    for (const body of ['uno', 'dos', 'tres']) store.enqueue('5215511111111@c.us', body)
    await waitFor(() => h.sim.outbox().length === 3, 'three sends')
    expect(h.sim.outbox().map((d) => d.body)).toEqual(['uno', 'dos', 'tres'])
  })

  it('records a message typed on the business phone as author phone and a takeover', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    await h.post('/simulator/messages', { from: '5215512345678', body: 'Hola' })
    expect(
      (await h.post('/simulator/phone-messages', { to: '5215512345678', body: 'Te atiendo yo' })).status,
    ).toBe(202)
    await h.connector.ingest.idle()
    expect(store.rows.map((r) => r.author)).toEqual(['customer', 'phone'])
    expect(store.conversations.get('5215512345678@c.us')?.mode).toBe('human')
  })

  it('retries a failing send, then ends failed with the error', async () => {
    const store = new MemoryStore()
    const h = await start(store, { maxAttempts: 3 })
    h.sim.failNextSends(10, true)
    const row = store.enqueue('5215512345678@c.us', 'no llega')
    await waitFor(() => row.status === 'failed', 'failed')
    expect(row.attempts).toBe(3)
    expect(row.error).toContain('Simulated send failure')
    expect(h.sim.outbox()).toHaveLength(0)
  })

  it('fails at once on a non-retryable error', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    h.sim.failNextSends(1, false)
    const row = store.enqueue('5215512345678@c.us', 'número inválido')
    await waitFor(() => row.status === 'failed', 'failed')
    expect(row.attempts).toBe(1)
  })

  it('buffers incoming messages while the database is down and replays them in order', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    store.down = true
    for (const body of ['a', 'b', 'c']) await h.post('/simulator/messages', { from: '5215512345678', body })
    await h.connector.ingest.idle()
    expect(store.rows).toHaveLength(0)
    expect(h.connector.health().bufferDepth).toBe(3)
    store.down = false
    await waitFor(() => h.connector.health().bufferDepth === 0, 'replay')
    expect(store.rows.map((r) => r.body)).toEqual(['a', 'b', 'c'])
  })

  it('shows a QR, stores it as status qr, then ready after the scan', async () => {
    const store = new MemoryStore()
    const h = await start(store, { linked: false })
    await h.connector.session.flush()
    expect(store.statuses.at(-1)).toMatchObject({ status: 'qr' })
    expect(store.statuses.at(-1)?.qr).toMatch(/^2@/)
    const svg = await h.app.request('/qr')
    expect(svg.headers.get('content-type')).toBe('image/svg+xml')
    expect(await svg.text()).toContain('<svg')
    expect((await h.post('/simulator/session/scan', {})).status).toBe(200)
    await h.connector.session.flush()
    expect(store.statuses.at(-1)).toMatchObject({ status: 'ready' })
    expect((await h.app.request('/qr')).status).toBe(404)
  })

  it('after a logout from the phone clears the session and shows a new QR', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    await h.post('/simulator/session/logout', {})
    await waitFor(() => store.statuses.at(-1)?.status === 'qr', 'qr after logout')
    expect(store.statuses.map((s) => s.status)).toContain('logged_out')
  })

  it('reconnects after a disconnect and catches up on what arrived meanwhile', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    await h.post('/simulator/session/disconnect', {})
    // Delivered to the phone while the connector is not connected: no event, only catch-up.
    const sent = await h.post('/simulator/messages', { from: '5215599999999', body: 'sigues ahí?' })
    expect(((await sent.json()) as { delivered: boolean }).delivered).toBe(false)
    await waitFor(() => store.rows.some((r) => r.body === 'sigues ahí?'), 'catch-up ingest')
    expect(store.statuses.map((s) => s.status)).toEqual(expect.arrayContaining(['disconnected', 'ready']))
    expect(h.connector.health().status).toBe('ready')
  })

  it('catches up on deletes and edits made while it was disconnected', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    const say = async (body: string) =>
      (
        (await (await h.post('/simulator/messages', { from: '5215599999998', body })).json()) as {
          waMessageId: string
        }
      ).waMessageId
    const order = await say('quiero 2')
    const card = await say('4111 1111')
    await h.connector.ingest.idle()
    await h.post('/simulator/session/disconnect', {})
    await h.post('/simulator/edits', { waMessageId: order, body: 'quiero 3' })
    const revoked = await h.post('/simulator/revokes', { waMessageId: card })
    expect(await revoked.json()).toEqual({ delivered: false })
    await waitFor(() => store.rows.some((r) => r.body === 'quiero 3' && r.editedAt), 'edit caught up')
    await waitFor(
      () => store.rows.some((r) => r.waMessageId === card && r.deletedAt && r.body === ''),
      'revoke',
    )
  })

  it('logs out and shows a QR when an admin requests a re-link', async () => {
    const store = new MemoryStore()
    const h = await start(store)
    store.relinkRequested = true
    await waitFor(() => store.statuses.at(-1)?.status === 'qr', 'qr after relink')
    expect(store.relinkRequested).toBe(false)
    expect(h.sim.currentState).toBe('qr')
  })

  it('on stop finishes the send in flight and gives the rest of the claimed batch back', async () => {
    const store = new MemoryStore()
    const h = await startHarness(store)
    h.sim.slowSends(300)
    const rows = ['uno', 'dos', 'tres'].map((body) => store.enqueue('5215512345678@c.us', body))
    await waitFor(() => h.connector.health().sendsInFlight === 1, 'a send in flight')
    await h.stop()
    await removeDir(h.dir)
    expect(rows.map((r) => r.status)).toEqual(['sent', 'queued', 'queued'])
    expect(rows[1]?.error).toMatch(/stopping/)
    expect(h.sim.outbox().map((d) => d.body)).toEqual(['uno'])
  })

  it('keeps the lease of a send cut off by the stop: WhatsApp may have it, so it is not marked failed', async () => {
    const store = new MemoryStore()
    const h = await startHarness(store)
    h.sim.holdSends({ afterDelivery: true })
    const row = store.enqueue('5215512345678@c.us', 'quizá enviado')
    await waitFor(() => h.sim.outbox().length === 1, 'accepted by WhatsApp')
    await h.stop()
    await removeDir(h.dir)
    expect(row).toMatchObject({ status: 'sending', error: null, waMessageId: null })
    expect(row.leaseExpiresAt).toBeGreaterThan(Date.now())
  })

  it('answers 400 with a message for invalid simulator requests', async () => {
    const h = await start(new MemoryStore())
    const bad = await h.post('/simulator/messages', { from: 'x', body: '' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/from|body/)
    const noJson = await h.app.request('/simulator/acks', {
      method: 'POST',
      body: 'nope',
      headers: { 'content-type': 'application/json' },
    })
    expect(noJson.status).toBe(400)
    expect((await h.post('/simulator/acks', { waMessageId: 'nope', status: 'read' })).status).toBe(404)
  })
})
