import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { DurableBuffer } from '../buffer/durable-buffer.ts'
import { PendingSends } from '../outbox/pending-sends.ts'
import { MemoryStore } from '../store/memory-store.ts'
import type { InboundMessage } from '../whatsapp/transport.ts'
import { IngestFlow } from './ingest-flow.ts'

let dir = ''
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function message(chatId: string, body: string): InboundMessage {
  return {
    waMessageId: `false_${chatId}_${body}`,
    chatId,
    fromMe: false,
    body,
    type: 'text',
    media: null,
    customerName: null,
    customerPhone: null,
    timestamp: new Date(),
  }
}

async function flowOver(store: MemoryStore): Promise<IngestFlow> {
  dir = await mkdtemp(join(tmpdir(), 'relevo-ingest-'))
  return new IngestFlow({
    channelId: 'c',
    store,
    buffer: await DurableBuffer.open(join(dir, 'buffer.jsonl')),
    pending: new PendingSends(),
    logger: pino({ level: 'silent' }),
  })
}

describe('IngestFlow', () => {
  it('keeps order within each chat while writing different chats concurrently', async () => {
    const store = new MemoryStore()
    // Later messages answer faster: without per-chat queues they would overtake earlier ones.
    let inFlight = 0
    let maxInFlight = 0
    const ingest = store.ingestMessage.bind(store)
    store.ingestMessage = async (input) => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 30 - Number(input.body.slice(1)) * 5))
      inFlight -= 1
      return ingest(input)
    }
    const flow = await flowOver(store)
    for (let i = 0; i < 5; i++)
      for (const chat of ['a@c.us', 'b@c.us', 'c@c.us']) void flow.message(message(chat, `m${i}`))
    await flow.idle()
    for (const chat of ['a@c.us', 'b@c.us', 'c@c.us']) {
      const conv = store.conversations.get(chat)
      expect(store.rows.filter((r) => r.conversationId === conv?.id).map((r) => r.body)).toEqual([
        'm0',
        'm1',
        'm2',
        'm3',
        'm4',
      ])
    }
    expect(maxInFlight).toBe(3)
  })

  it('stores a delete or an edit after its message, and drops one for a message never stored', async () => {
    const store = new MemoryStore()
    // The message's write is slow: a change arriving right after it must still wait for it.
    const ingest = store.ingestMessage.bind(store)
    store.ingestMessage = async (input) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return ingest(input)
    }
    const flow = await flowOver(store)
    const edited = message('a@c.us', 'quiero 2')
    const deleted = message('b@c.us', 'tarjeta')
    void flow.message(edited)
    void flow.message(deleted)
    const at = new Date('2026-11-25T10:00:00Z')
    void flow.change({
      kind: 'edited',
      waMessageId: edited.waMessageId,
      chatId: 'a@c.us',
      body: 'quiero 3',
      at,
    })
    void flow.change({ kind: 'revoked', waMessageId: deleted.waMessageId, chatId: 'b@c.us', at })
    void flow.change({ kind: 'revoked', waMessageId: 'false_c@c.us_never', chatId: 'c@c.us', at })
    await flow.idle()
    expect(store.rows.map((r) => [r.body, r.editedAt, r.deletedAt])).toEqual([
      ['quiero 3', at.toISOString(), null],
      ['', null, at.toISOString()],
    ])
  })
})
