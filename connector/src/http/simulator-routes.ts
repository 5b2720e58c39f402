/**
 * @module
 * Routes that drive the simulator transport: a person or a test plays the customer's phone
 * and the business phone. Bodies are validated with zod; errors are 4xx with a message.
 */

import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import type { SimulatorTransport } from '../whatsapp/simulator.ts'

// Decoded without a regex over the whole string first: a 16 MB file is a 21 MB string, and
// Node's decoder skips what is not base64 anyway; an empty result is refused.
const base64 = z
  .string()
  .min(1)
  .transform((data) => Buffer.from(data, 'base64'))
  .refine((data) => data.length > 0, 'base64 data of at least one byte')
const customerMessage = z
  .object({
    from: z
      .string()
      .regex(/^(\+?[\d\s-]{6,20}|[\w.-]+@(c\.us|lid))$/, 'a phone number or a …@c.us / …@lid id'),
    name: z.string().max(100).optional(),
    body: z.string().min(1).max(65536).optional(),
    /** Optional fixed WhatsApp id, to replay the same event twice. */
    id: z.string().min(1).max(200).optional(),
    media: z
      .object({
        mimetype: z
          .string()
          .max(200)
          .regex(
            /^[\w.+-]+\/[\w.+-]+(; ?[\w.+-]+=[\w.+-]+)*$/,
            'a MIME type such as image/png or audio/ogg; codecs=opus',
          ),
        data: base64,
        filename: z.string().min(1).max(255).optional(),
        voice: z.boolean().optional(),
        sticker: z.boolean().optional(),
      })
      .optional(),
    location: z
      .object({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        name: z.string().max(200).optional(),
        address: z.string().max(500).optional(),
      })
      .optional(),
    contacts: z
      .array(
        z.object({ name: z.string().min(1).max(200), phones: z.array(z.string().min(3).max(30)).max(10) }),
      )
      .min(1)
      .max(20)
      .optional(),
  })
  .refine((m) => m.body || m.media || m.location || m.contacts, 'send a body, media, a location or contacts')
const phoneMessage = z.object({ to: z.string().min(6), body: z.string().min(1).max(65536) })
const ack = z.object({ waMessageId: z.string().min(1), status: z.enum(['delivered', 'read']) })
const revoke = z.object({ waMessageId: z.string().min(1).max(200) })
const edit = z.object({ waMessageId: z.string().min(1).max(200), body: z.string().min(1).max(65536) })
const failures = z.object({ count: z.number().int().min(0).max(100), retryable: z.boolean().default(true) })

async function parse<T>(c: Context, schema: z.ZodType<T>): Promise<T | Response> {
  const raw: unknown = await c.req.json().catch(() => undefined)
  if (raw === undefined) return c.json({ code: 'invalid_json', message: 'Send a JSON body' }, 400)
  const result = schema.safeParse(raw)
  if (!result.success) {
    const message = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
    return c.json({ code: 'invalid_body', message }, 400)
  }
  return result.data
}

function changeAnswer(c: Context, sim: SimulatorTransport, change: () => boolean): Response {
  if (!change()) {
    return c.json({ code: 'unknown_message', message: 'The simulator never saw that message id' }, 404)
  }
  return c.json({ delivered: sim.currentState === 'ready' }, 202)
}

/**
 * Runs one customer message at a time, from reading its body to the simulated media server
 * keeping its file. A 16 MB file is a 21 MB JSON body, held as bytes, text, parsed string and
 * decoded file while it is read; the simulated phone lives in the connector's process, so ten
 * read at once would be charged to the connector's memory. Like a phone's one socket, the
 * simulator takes them in turn (the next body waits unread in its connection).
 */
function oneAtATime() {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work)
    tail = run.catch(() => undefined)
    return run
  }
}

export function simulatorRoutes(sim: SimulatorTransport): Hono {
  const routes = new Hono()
  const inTurn = oneAtATime()

  routes.post('/messages', async (c) => {
    const message = await inTurn(async () => {
      const input = await parse(c, customerMessage)
      return input instanceof Response ? input : sim.customerMessage(input)
    })
    if (message instanceof Response) return message
    return c.json(
      { waMessageId: message.waMessageId, chatId: message.chatId, delivered: sim.currentState === 'ready' },
      202,
    )
  })

  routes.post('/phone-messages', async (c) => {
    const input = await parse(c, phoneMessage)
    if (input instanceof Response) return input
    const message = sim.phoneMessage(input)
    return c.json({ waMessageId: message.waMessageId, chatId: message.chatId }, 202)
  })

  routes.get('/outbox', (c) => c.json({ messages: sim.outbox() }))
  routes.get('/typing', (c) => c.json({ chats: sim.typingChats() }))

  routes.post('/acks', async (c) => {
    const input = await parse(c, ack)
    if (input instanceof Response) return input
    if (!sim.ack(input.waMessageId, input.status)) {
      return c.json(
        { code: 'unknown_message', message: 'The simulated phone never received that message id' },
        404,
      )
    }
    return c.json({ ok: true })
  })

  // Deletes and edits by whoever wrote the message (customer or business phone); while the session
  // is not ready they reach the connector only through catch-up, as on WhatsApp Web.
  routes.post('/revokes', async (c) => {
    const input = await parse(c, revoke)
    if (input instanceof Response) return input
    return changeAnswer(c, sim, () => sim.revoke(input.waMessageId))
  })
  routes.post('/edits', async (c) => {
    const input = await parse(c, edit)
    if (input instanceof Response) return input
    return changeAnswer(c, sim, () => sim.edit(input.waMessageId, input.body))
  })

  routes.post('/failures', async (c) => {
    const input = await parse(c, failures)
    if (input instanceof Response) return input
    sim.failNextSends(input.count, input.retryable)
    return c.json({ ok: true })
  })

  routes.get('/session', (c) => c.json({ state: sim.currentState }))
  routes.post('/session/logout', (c) => {
    sim.requireQr()
    return c.json({ state: sim.currentState })
  })
  routes.post('/session/scan', (c) => {
    if (!sim.scanQr())
      return c.json({ code: 'no_qr', message: `Nothing to scan: the session is ${sim.currentState}` }, 409)
    return c.json({ state: sim.currentState })
  })
  routes.post('/session/disconnect', (c) => {
    sim.disconnect()
    return c.json({ state: sim.currentState })
  })
  return routes
}
