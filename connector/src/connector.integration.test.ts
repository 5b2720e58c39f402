/**
 * The connector end to end: simulator transport → SupabaseStore (supabase-js, service role)
 * → the local stand-in → Relevo's SQL functions on PGlite. One database for the file; each
 * test uses its own customer number.
 */

import { waitFor } from '@relevo/testing/wait-for'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { StoreUnavailableError } from './store/errors.ts'
import type { MessageStore } from './store/message-store.ts'
import { channelId, type Harness, removeDir, startHarness } from './testing/harness.ts'
import { startBackend, type TestBackend } from './testing/stand-in.ts'

let backend: TestBackend
const running: Harness[] = []
beforeAll(async () => {
  backend = await startBackend()
})
afterEach(async () => {
  for (const h of running.splice(0)) {
    await h.stop()
    await removeDir(h.dir)
  }
})
afterAll(async () => {
  await backend.close()
})

async function start(
  store: MessageStore = backend.store('test'),
  options: Parameters<typeof startHarness>[1] = {},
) {
  const h = await startHarness(store, options)
  running.push(h)
  return h
}

interface Row {
  id: string
  author: string
  direction: string
  status: string
  body: string
  wa_message_id: string | null
  attempts: number
  error: string | null
  conversation_id: string
}
async function rows(chatId: string): Promise<Row[]> {
  const result = await backend.db.query<Row>(
    `select m.id, m.author, m.direction, m.status, m.body, m.wa_message_id, m.attempts, m.error, m.conversation_id
     from public.messages m join public.conversations c on c.id = m.conversation_id
     where c.wa_chat_id = $1 and not m.private order by m.created_at, m.id`,
    [chatId],
  )
  return result.rows
}
async function conversation(chatId: string) {
  const result = await backend.db.query<{
    id: string
    mode: string
    customer_name: string | null
    customer_phone: string | null
  }>('select id, mode, customer_name, customer_phone from public.conversations where wa_chat_id = $1', [
    chatId,
  ])
  return result.rows[0]
}
async function channel() {
  const result = await backend.db.query<{
    status: string
    qr: string | null
    qr_expires_at: string | null
    phone: string | null
  }>(
    `select c.status, l.qr, l.qr_expires_at, c.phone
     from public.channels c left join public.channel_links l on l.channel_id = c.id where c.id = $1`,
    [channelId],
  )
  return result.rows[0]
}
/** A customer message, then an AI reply queued for it through enqueue_ai_reply (service role). */
async function aiReply(h: Harness, phone: string, body: string): Promise<string> {
  await h.post('/simulator/messages', { from: phone, name: 'Cliente', body: 'Hola' })
  const trigger = await waitFor(() => rows(`${phone}@c.us`).then((r) => r[0]), 'ingest')
  const { data, error } = await backend
    .service()
    .rpc('enqueue_ai_reply', { p_trigger_message_id: trigger.id, p_body: body })
  if (error) throw error
  return (data as { message_id: string }).message_id
}

describe('connector against the local Supabase stand-in', () => {
  it('turns a customer message into one row, and the same WhatsApp id twice into still one', async () => {
    const h = await start()
    const message = {
      from: '5215510000001',
      name: 'Lucía',
      body: 'Hola',
      id: 'false_5215510000001@c.us_3EB0A1',
    }
    await h.post('/simulator/messages', message)
    await h.post('/simulator/messages', message)
    await h.connector.ingest.idle()
    const stored = await rows('5215510000001@c.us')
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ author: 'customer', direction: 'in', status: 'received', body: 'Hola' })
    const stamped = await backend.db.query<{ stamped: boolean }>(
      'select wa_timestamp is not null as stamped from public.messages where id = $1',
      [stored[0]?.id],
    )
    expect(stamped.rows[0]?.stamped).toBe(true) // WhatsApp's own time travels with the message
    expect(await conversation('5215510000001@c.us')).toMatchObject({
      customer_name: 'Lucía',
      customer_phone: '5215510000001',
      mode: 'ai',
    })
  })

  it('stores a burst from many chats once each, in order within every chat (batched ingest)', async () => {
    const h = await start()
    const chats = Array.from({ length: 10 }, (_, i) => `52155200000${String(i).padStart(2, '0')}`)
    const posts: Array<Promise<Response>> = []
    for (let n = 0; n < 20; n++) {
      for (const from of chats) posts.push(h.post('/simulator/messages', { from, body: `m${n}` }))
    }
    await Promise.all(posts)
    await h.connector.ingest.idle()
    for (const from of chats) {
      expect((await rows(`${from}@c.us`)).map((r) => r.body)).toEqual(
        Array.from({ length: 20 }, (_, n) => `m${n}`),
      )
    }
    expect(h.connector.health()).toMatchObject({ ingested: 200, bufferDepth: 0 })
  })

  it('shows "typing…" to the customer when functions claims an AI run for the chat', async () => {
    const h = await start()
    await h.post('/simulator/messages', { from: '5215510000009', name: 'Iker', body: '¿Hay stock?' })
    await h.connector.ingest.idle()
    const conv = await conversation('5215510000009@c.us')
    await waitFor(() => h.connector.health().status === 'ready', 'the session is ready')
    // What functions' claimRun inserts (the ai_runs row is the run's claim). Broadcasts have no
    // replay, so a claim made before the connector's realtime join completes is not seen: claim
    // again (as the next AI run would) until the join is up.
    const claimRun = () =>
      backend.db.query(
        `insert into public.ai_runs (tenant_id, conversation_id, provider, outcome, reason)
         select tenant_id, id, 'openai', 'skipped', 'claimed' from public.conversations where id = $1`,
        [conv?.id],
      )
    await waitFor(async () => {
      if (h.sim.typingChats().includes('5215510000009@c.us')) return true
      await claimRun()
      await new Promise((resolve) => setTimeout(resolve, 500))
      return h.sim.typingChats().includes('5215510000009@c.us') || null
    }, 'typing shown in the chat')
  })

  it('delivers a queued AI reply once, pushed by realtime, then sent → delivered → read on acks', async () => {
    // Polling every minute: only the realtime broadcast can deliver within the test.
    const h = await start(backend.store('push'), { pollMs: 60_000 })
    const id = await aiReply(h, '5215510000002', 'Sí, tenemos talla M')
    await waitFor(() => h.sim.outbox().find((d) => d.body === 'Sí, tenemos talla M'), 'delivery to the phone')
    const reply = await waitFor(
      async () => (await rows('5215510000002@c.us')).find((r) => r.id === id && r.status === 'sent'),
      'sent',
    )
    expect(reply.wa_message_id).toBe(h.sim.outbox()[0]?.waMessageId)
    await h.connector.ingest.idle()
    // Our own send echoed as fromMe is a duplicate, not a phone takeover.
    expect((await rows('5215510000002@c.us')).map((r) => r.author)).toEqual(['customer', 'ai'])
    expect((await conversation('5215510000002@c.us'))?.mode).toBe('ai')
    await h.post('/simulator/acks', { waMessageId: reply.wa_message_id, status: 'delivered' })
    await waitFor(
      async () => (await rows('5215510000002@c.us')).some((r) => r.status === 'delivered'),
      'delivered',
    )
    await h.post('/simulator/acks', { waMessageId: reply.wa_message_id, status: 'read' })
    await waitFor(async () => (await rows('5215510000002@c.us')).some((r) => r.status === 'read'), 'read')
    expect(h.sim.outbox()).toHaveLength(1)
  })

  it('sends an agent reply queued with send_agent_message, in order', async () => {
    const h = await start()
    await h.post('/simulator/messages', { from: '5215510000003', body: 'Hola' })
    const conv = await waitFor(() => conversation('5215510000003@c.us'), 'conversation')
    const agent = await backend.agent()
    for (const body of ['Hola, soy Ana', 'Reviso tu pedido']) {
      const { error } = await agent.rpc('send_agent_message', { p_conversation_id: conv.id, p_body: body })
      expect(error).toBeNull()
    }
    await waitFor(() => h.sim.outbox().length === 2, 'two deliveries')
    expect(h.sim.outbox().map((d) => d.body)).toEqual(['Hola, soy Ana', 'Reviso tu pedido'])
    await waitFor(
      async () => (await rows('5215510000003@c.us')).filter((r) => r.status === 'sent').length === 2,
      'both sent',
    )
  })

  it('records a phone-typed message as author phone and puts the conversation in human mode', async () => {
    const h = await start()
    await h.post('/simulator/messages', { from: '5215510000004', body: 'Hola' })
    await h.post('/simulator/phone-messages', { to: '5215510000004', body: 'Te atiendo yo' })
    await h.connector.ingest.idle()
    expect((await rows('5215510000004@c.us')).map((r) => [r.author, r.direction, r.status])).toEqual([
      ['customer', 'in', 'received'],
      ['phone', 'out', 'sent'],
    ])
    expect((await conversation('5215510000004@c.us'))?.mode).toBe('human')
  })

  it('retries a failing send, then ends failed with the error', async () => {
    const h = await start(backend.store('fail'), { maxAttempts: 2 })
    h.sim.failNextSends(5, true)
    const id = await aiReply(h, '5215510000005', 'no va a llegar')
    // mark_failed waits 2^attempts s before the retry: about 2 s here.
    const failed = await waitFor(
      async () => (await rows('5215510000005@c.us')).find((r) => r.id === id && r.status === 'failed'),
      'failed',
    )
    expect(failed).toMatchObject({ attempts: 2, error: 'Simulated send failure' })
    expect(h.sim.outbox()).toHaveLength(0)
  })

  it('buffers while the database is unreachable and replays in order, nothing lost or doubled', async () => {
    const h = await start()
    await backend.down()
    for (const body of ['uno', 'dos', 'tres'])
      await h.post('/simulator/messages', { from: '5215510000006', body })
    await h.connector.ingest.idle()
    expect(h.connector.health().bufferDepth).toBe(3)
    await backend.up()
    await waitFor(() => h.connector.health().bufferDepth === 0, 'replay')
    expect((await rows('5215510000006@c.us')).map((r) => r.body)).toEqual(['uno', 'dos', 'tres'])
  })

  it('records a customer edit and a delete for everyone, after the message, even from the buffer', async () => {
    const h = await start()
    const sent = async (body: string) =>
      (await (await h.post('/simulator/messages', { from: '5215510000010', body })).json()) as {
        waMessageId: string
      }
    const order = await sent('quiero 2 pares')
    const card = await sent('mi tarjeta 4111 1111')
    // Straight after the messages: the chat's queue keeps each change behind its message.
    await h.post('/simulator/edits', { waMessageId: order.waMessageId, body: 'quiero 3 pares' })
    await h.post('/simulator/revokes', { waMessageId: card.waMessageId })
    await h.connector.ingest.idle()
    const changed = await backend.db.query<{ body: string; edited: boolean; deleted: boolean }>(
      `select m.body, m.edited_at is not null as edited, m.deleted_at is not null as deleted
       from public.messages m join public.conversations c on c.id = m.conversation_id
       where c.wa_chat_id = '5215510000010@c.us' order by m.created_at`,
    )
    expect(changed.rows).toEqual([
      { body: 'quiero 3 pares', edited: true, deleted: false },
      { body: '', edited: false, deleted: true },
    ])

    await backend.down()
    await h.post('/simulator/edits', { waMessageId: order.waMessageId, body: 'quiero 4 pares' })
    await h.connector.ingest.idle()
    expect(h.connector.health().bufferDepth).toBe(1)
    await backend.up()
    await waitFor(() => h.connector.health().bufferDepth === 0, 'replay')
    expect((await rows('5215510000010@c.us'))[0]?.body).toBe('quiero 4 pares')
  })

  it('answers 404 for a change to an unknown message and 400 for a bad one, storing nothing', async () => {
    const h = await start()
    const unknown = await h.post('/simulator/revokes', { waMessageId: 'false_1@c.us_3EB0NOPE' })
    expect(unknown.status).toBe(404)
    const bad = await h.post('/simulator/edits', { waMessageId: 'x' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/body/)
  })

  it('writes status qr with the QR text and expiry, then ready after the scan', async () => {
    const h = await start(backend.store('qr'), { linked: false })
    await h.connector.session.flush()
    const qr = await channel()
    expect(qr).toMatchObject({ status: 'qr' })
    expect(qr?.qr).toMatch(/^2@/)
    expect(qr?.qr_expires_at).not.toBeNull()
    await h.post('/simulator/session/scan', {})
    await h.connector.session.flush()
    expect(await channel()).toMatchObject({ status: 'ready', qr: null, phone: '5215500000000' })
  })

  it('logs out and shows a new QR when an admin requests a re-link, and clears the request', async () => {
    const h = await start(backend.store('relink'))
    await h.connector.session.flush()
    const admin = await backend.agent('admin')
    const { error } = await admin.rpc('request_relink', { p_channel_id: channelId })
    expect(error).toBeNull()
    await waitFor(async () => (await channel())?.status === 'qr', 'qr after relink')
    const { rows } = await backend.db.query<{ relink_requested_at: string | null }>(
      'select relink_requested_at from public.channels where id = $1',
      [channelId],
    )
    expect(rows[0]?.relink_requested_at).toBeNull()
    expect(h.sim.currentState).toBe('qr')
  })
})

describe('a connector killed mid-send', () => {
  /** A store that, once killed, fails every call: the process is gone and writes nothing more. */
  function killable(store: MessageStore, killOn: (method: string) => boolean = () => true) {
    const state = { killed: false }
    const proxy = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) =>
          state.killed && killOn(String(prop))
            ? Promise.reject(new StoreUnavailableError('process killed'))
            : value.apply(target, args)
      },
    })
    return { store: proxy, state }
  }

  /**
   * Stops the dead connector's harness and starts another on the same phone and volume, with the
   * row's lease long expired: whatever claims before looking at the buffer and WhatsApp sends it again.
   */
  async function restartAbandoned(first: Harness, messageId: string, worker: string): Promise<Harness> {
    await first.stop()
    running.splice(running.indexOf(first), 1)
    await backend.db.query(
      `update public.messages set lease_expires_at = now() - interval '1 hour' where id = $1`,
      [messageId],
    )
    return start(backend.store(worker), { leaseSeconds: 5, sim: first.sim, dir: first.dir })
  }

  it('loses nothing: after the lease expires another connector sends it exactly once', async () => {
    const a = killable(backend.store('worker-a'))
    const first = await start(a.store, { leaseSeconds: 5 })
    first.sim.holdSends()
    const id = await aiReply(first, '5215510000007', 'mensaje en vuelo')
    await waitFor(
      async () => (await rows('5215510000007@c.us')).find((r) => r.id === id && r.status === 'sending'),
      'claimed',
    )
    a.state.killed = true
    await first.stop()
    running.splice(running.indexOf(first), 1)
    const second = await start(backend.store('worker-b'), { leaseSeconds: 5, sim: first.sim, dir: first.dir })
    const sent = await waitFor(
      async () => (await rows('5215510000007@c.us')).find((r) => r.id === id && r.status === 'sent'),
      'resent after lease expiry',
    )
    expect(sent.attempts).toBe(2)
    expect(second.sim.outbox().filter((d) => d.body === 'mensaje en vuelo')).toHaveLength(1)
  })

  it('never re-sends a message WhatsApp accepted just before the kill, before its id was recorded', async () => {
    const a = killable(backend.store('worker-e'))
    const first = await start(a.store, { leaseSeconds: 5 })
    first.sim.holdSends({ afterDelivery: true })
    const id = await aiReply(first, '5215510000011', 'aceptado y caído')
    await waitFor(() => first.sim.outbox().some((d) => d.body === 'aceptado y caído'), 'on the phone')
    a.state.killed = true
    const second = await restartAbandoned(first, id, 'worker-f')
    const sent = await waitFor(
      async () => (await rows('5215510000011@c.us')).find((r) => r.id === id && r.status === 'sent'),
      'recorded from the echo catch-up found',
    )
    expect(sent).toMatchObject({
      attempts: 1,
      wa_message_id: second.sim.outbox().find((d) => d.body === 'aceptado y caído')?.waMessageId,
    })
    second.connector.outbox.wake()
    await second.connector.ingest.idle()
    expect(second.sim.outbox().filter((d) => d.body === 'aceptado y caído')).toHaveLength(1)
    expect((await rows('5215510000011@c.us')).map((r) => r.author)).toEqual(['customer', 'ai'])
  })

  it('never re-sends a message whose WhatsApp id was recorded, even from the buffer', async () => {
    // Killed right after WhatsApp accepted the message, with the database unreachable for mark_sent:
    // the id survives in the durable buffer and is recorded on restart before any claim.
    const a = killable(backend.store('worker-c'), (method) => method === 'markSent')
    a.state.killed = true
    const first = await start(a.store, { leaseSeconds: 5 })
    const id = await aiReply(first, '5215510000008', 'ya enviado')
    // The sent id, then the echo of our own send queued behind it (so it replays as a duplicate).
    await waitFor(() => first.connector.health().bufferDepth === 2, 'sent id and echo buffered')
    const second = await restartAbandoned(first, id, 'worker-d')
    const sent = await waitFor(
      async () => (await rows('5215510000008@c.us')).find((r) => r.id === id && r.status === 'sent'),
      'sent',
    )
    expect(sent.wa_message_id).toBe(first.sim.outbox().find((d) => d.body === 'ya enviado')?.waMessageId)
    second.connector.outbox.wake()
    await second.connector.ingest.idle()
    expect(second.sim.outbox().filter((d) => d.body === 'ya enviado')).toHaveLength(1)
    expect(second.connector.health().bufferDepth).toBe(0)
    expect((await rows('5215510000008@c.us')).map((r) => r.author)).toEqual(['customer', 'ai'])
  })
})
