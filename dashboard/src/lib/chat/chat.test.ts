import { describe, expect, it } from 'vitest'
import { PAGE_SIZE } from '../desk-api.ts'
import type { AiRun, Message } from '../types.ts'
import { ChatStore } from './chat.svelte.ts'

function msg(i: number, conversation_id = 'c1'): Message {
  const at = new Date(Date.UTC(2026, 10, 25, 0, 0, i)).toISOString()
  return { id: `m${String(i).padStart(4, '0')}`, conversation_id, created_at: at, body: `#${i}` } as Message
}

/** A fake of the messages query: newest first, PAGE_SIZE at a time, before a timestamp. */
function fakeApi(total: number, runs: AiRun[] = []) {
  const all = Array.from({ length: total }, (_, i) => msg(i))
  return {
    messages: async (_id: string, before?: string) =>
      all
        .filter((m) => !before || m.created_at < before)
        .reverse()
        .slice(0, PAGE_SIZE),
    messagesAround: async (_id: string, at: string) => ({
      older: all
        .filter((m) => m.created_at <= at)
        .reverse()
        .slice(0, PAGE_SIZE),
      newer: all.filter((m) => m.created_at > at).slice(0, PAGE_SIZE),
    }),
    messageTime: async (_conversationId: string, id: string) =>
      all.find((m) => m.id === id)?.created_at ?? null,
    aiRuns: async () => runs,
  }
}

describe('ChatStore', () => {
  it('shows the newest page oldest-first and pages back to the start', async () => {
    const chat = new ChatStore(fakeApi(PAGE_SIZE + 10), 'c1')
    await chat.load()
    expect(chat.messages).toHaveLength(PAGE_SIZE)
    expect(chat.messages.at(-1)?.body).toBe(`#${PAGE_SIZE + 9}`)
    expect(chat.hasOlder).toBe(true)
    await chat.loadOlder()
    expect(chat.messages).toHaveLength(PAGE_SIZE + 10)
    expect(chat.messages[0]?.body).toBe('#0')
    expect(chat.hasOlder).toBe(false)
  })

  it('adds live rows of this chat, updates a status in place, ignores other chats', async () => {
    const chat = new ChatStore(fakeApi(2), 'c1')
    await chat.load()
    chat.applyMessage({ ...msg(5), status: 'queued' })
    chat.applyMessage({ ...msg(5), status: 'delivered' })
    chat.applyMessage(msg(6, 'c2'))
    expect(chat.messages.map((m) => m.id)).toEqual(['m0000', 'm0001', 'm0005'])
    expect(chat.messages[2]?.status).toBe('delivered')
  })

  it('keeps a live edit that arrived while a reload was reading the old row', async () => {
    const api = fakeApi(3)
    const chat = new ChatStore(api, 'c1')
    await chat.load()
    // The reload (after a rejoin) reads the page before the edit commits; its answer lands after the edit's event.
    const stale = await api.messages('c1')
    let answer: (rows: Message[]) => void = () => {}
    api.messages = () => new Promise((resolve) => (answer = resolve))
    const reload = chat.load()
    await Promise.resolve()
    chat.applyMessage({ ...msg(1), body: '#1 edited', edited_at: '2026-11-25T10:05:00Z' })
    answer(stale)
    await reload
    expect(chat.messages.map((m) => m.body)).toEqual(['#0', '#1 edited', '#2'])
  })

  it('takes body, edited_at and deleted_at from live UPDATE rows, keeping the message in place', async () => {
    const chat = new ChatStore(fakeApi(3), 'c1')
    await chat.load()
    chat.applyMessage({ ...msg(1), body: '#1 edited', edited_at: '2026-11-25T10:05:00Z' })
    expect(chat.messages[1]).toMatchObject({
      id: 'm0001',
      body: '#1 edited',
      edited_at: '2026-11-25T10:05:00Z',
    })
    chat.applyMessage({
      ...msg(1),
      body: '',
      media: null,
      edited_at: '2026-11-25T10:05:00Z',
      deleted_at: '2026-11-25T10:06:00Z',
    })
    expect(chat.messages.map((m) => m.id)).toEqual(['m0000', 'm0001', 'm0002'])
    expect(chat.messages[1]).toMatchObject({ body: '', deleted_at: '2026-11-25T10:06:00Z' })
  })

  it('links AI runs to the reply they produced', async () => {
    const run = { id: 'r1', conversation_id: 'c1', reply_message_id: 'm0001', tools: [] } as unknown as AiRun
    const chat = new ChatStore(fakeApi(2, [run]), 'c1')
    await chat.load()
    expect(chat.runs.m0001?.id).toBe('r1')
  })

  it('opens at a message deep in the thread, holds live rows back, then jumps to the latest', async () => {
    const hit = msg(100)
    const chat = new ChatStore(fakeApi(300), 'c1', hit.id)
    await chat.load()
    expect(chat.focusId).toBe(hit.id)
    expect(chat.messages[0]?.body).toBe(`#${101 - PAGE_SIZE}`)
    expect(chat.messages.at(-1)?.body).toBe(`#${100 + PAGE_SIZE}`)
    expect(chat.hasOlder && chat.hasNewer).toBe(true)
    chat.applyMessage(msg(300))
    expect(chat.messages.some((m) => m.body === '#300')).toBe(false)
    await chat.loadOlder()
    expect(chat.messages[0]?.body).toBe(`#${101 - 2 * PAGE_SIZE}`)
    await chat.loadLatest()
    expect(chat.messages.at(-1)?.body).toBe('#299')
    expect(chat.hasNewer).toBe(false)
  })
})
