import { describe, expect, it } from 'vitest'
import type { Conversation, SearchHit } from '../types.ts'
import { conversationRow } from './conversation-fixture.ts'
import { InboxStore } from './inbox.svelte.ts'

function conv(id: string, at: string | null, extra: Partial<Conversation> = {}): Conversation {
  return conversationRow({
    id,
    wa_chat_id: `${id}@c.us`,
    customer_name: id,
    customer_phone: null,
    last_message_at: at,
    last_message_preview: null,
    created_at: '2026-11-25T00:00:00Z',
    ...extra,
  })
}

function hit(conversationId: string): SearchHit {
  return {
    conversation_id: conversationId,
    message_id: `m-${conversationId}`,
    created_at: '2026-11-25T09:00:00Z',
    author: 'customer',
    private: false,
    customer_name: conversationId,
    customer_phone: '',
    snippet: 'la \uE000camiseta\uE001 azul',
    rank: 0.1,
  }
}

function store(rows: Conversation[], search: (q: string) => Promise<SearchHit[]> = async () => []) {
  return new InboxStore({ conversations: async () => rows, searchMessages: search }, () => 'me')
}

describe('InboxStore', () => {
  it('loads in last-activity order', async () => {
    const inbox = store([conv('a', '2026-11-25T10:00:00Z'), conv('b', '2026-11-25T11:00:00Z')])
    await inbox.load()
    expect(inbox.visible.map((c) => c.id)).toEqual(['b', 'a'])
    expect(inbox.loading).toBe(false)
  })

  it('moves a chat to the top when a new message arrives, and adds new chats', async () => {
    const inbox = store([conv('a', '2026-11-25T10:00:00Z'), conv('b', '2026-11-25T11:00:00Z')])
    await inbox.load()
    inbox.apply(conv('a', '2026-11-25T12:00:00Z', { unread_count: 1 }))
    inbox.apply(conv('c', '2026-11-25T09:00:00Z'))
    expect(inbox.visible.map((c) => c.id)).toEqual(['a', 'b', 'c'])
    expect(inbox.unread('all')).toBe(1)
  })

  it('filters and searches together', async () => {
    const inbox = store([
      conv('ana', '2026-11-25T10:00:00Z', { mode: 'human', assigned_agent_id: 'me' }),
      conv('bob', '2026-11-25T11:00:00Z'),
    ])
    await inbox.load()
    inbox.filter = 'mine'
    expect(inbox.visible.map((c) => c.id)).toEqual(['ana'])
    inbox.filter = 'all'
    await inbox.search('bo')
    expect(inbox.visible.map((c) => c.id)).toEqual(['bob'])
  })

  it('filters by the number a chat came in on', async () => {
    const inbox = store([
      conv('ana', '2026-11-25T10:00:00Z', { channel_id: 'sales' }),
      conv('bob', '2026-11-25T11:00:00Z', { channel_id: 'support' }),
    ])
    await inbox.load()
    inbox.channel = 'sales'
    expect(inbox.visible.map((c) => c.id)).toEqual(['ana'])
    inbox.channel = null
    expect(inbox.visible.map((c) => c.id)).toEqual(['bob', 'ana'])
  })

  it('adds chats whose older messages match the text search', async () => {
    const inbox = store(
      [conv('ana', '2026-11-25T10:00:00Z'), conv('bob', '2026-11-25T11:00:00Z')],
      async (q) => (q === 'camiseta' ? [hit('ana')] : []),
    )
    await inbox.load()
    await inbox.search('camiseta')
    expect(inbox.visible.map((c) => c.id)).toEqual(['ana'])
    expect(inbox.hits.map((h) => h.message_id)).toEqual(['m-ana'])
    await inbox.search('ca')
    expect(inbox.hits).toEqual([])
  })

  it('keeps the newest search result when an older search finishes last', async () => {
    let releaseFirst: (hits: SearchHit[]) => void = () => {}
    const inbox = store([conv('ana', null), conv('bob', null)], (q) =>
      q === 'first' ? new Promise((r) => (releaseFirst = r)) : Promise.resolve([hit('bob')]),
    )
    await inbox.load()
    const first = inbox.search('first')
    await inbox.search('second')
    releaseFirst([hit('ana')])
    await first
    expect([...inbox.textMatches]).toEqual(['bob'])
  })
})

describe('InboxStore first page', () => {
  it('sorts a page by last activity once and keeps one row per chat', async () => {
    const rows = [
      conv('a', '2026-11-25T10:00:00Z'),
      conv('b', '2026-11-25T12:00:00Z'),
      conv('a', '2026-11-25T13:00:00Z', { unread_count: 2 }),
      conv('c', null),
      conv('d', '2026-11-25T11:00:00Z'),
    ]
    const inbox = store(rows)
    await inbox.load()
    expect(inbox.conversations.map((c) => c.id)).toEqual(['a', 'b', 'd', 'c'])
    expect(inbox.get('a')?.unread_count).toBe(2)
  })
})

describe('InboxStore and the feed during a load', () => {
  it('keeps what the feed delivered while a prefetched first page was on its way', async () => {
    const stale = [conv('a', '2026-11-25T10:00:00Z'), conv('b', '2026-11-25T09:00:00Z'), conv('gone', null)]
    let answer: (rows: Conversation[]) => void = () => {}
    const inbox = store([])
    const load = inbox.load(new Promise((resolve) => (answer = resolve)))
    inbox.apply(conv('a', '2026-11-25T10:00:00Z', { needs_attention: true }))
    inbox.apply(conv('new', '2026-11-25T11:00:00Z'))
    inbox.remove('gone')
    answer(stale)
    await load
    expect(inbox.conversations.map((c) => c.id)).toEqual(['new', 'a', 'b'])
    expect(inbox.get('a')?.needs_attention).toBe(true)
  })
})

describe('InboxStore paging', () => {
  it('loads older pages after the oldest shown, until the server has no more', async () => {
    const { INBOX_PAGE } = await import('../desk-api.ts')
    const all = Array.from({ length: INBOX_PAGE + 3 }, (_, i) =>
      conv(`c${i}`, new Date(Date.UTC(2026, 10, 25, 12, 0, 0) - i * 60_000).toISOString()),
    )
    const api = {
      conversations: async (before?: string) =>
        all.filter((c) => !before || (c.last_message_at ?? '') < before).slice(0, INBOX_PAGE),
      searchMessages: async (): Promise<SearchHit[]> => [],
    }
    const inbox = new InboxStore(api, () => 'me')
    await inbox.load()
    expect(inbox.conversations).toHaveLength(INBOX_PAGE)
    expect(inbox.hasMore).toBe(true)
    await inbox.loadMore()
    expect(inbox.conversations).toHaveLength(INBOX_PAGE + 3)
    expect(inbox.conversations.at(-1)?.id).toBe(`c${INBOX_PAGE + 2}`)
    expect(inbox.hasMore).toBe(false)
  })
})

describe('InboxStore label filter', () => {
  it('shows only the chats that carry the chosen label', async () => {
    const rows = [conv('ana', '2026-11-25T10:00:00Z'), conv('bob', '2026-11-25T11:00:00Z')]
    const inbox = new InboxStore(
      { conversations: async () => rows, searchMessages: async (): Promise<SearchHit[]> => [] },
      () => 'me',
      (id, label) => id === 'ana' && label === 'wholesale',
    )
    await inbox.load()
    expect(inbox.visible.map((c) => c.id)).toEqual(['bob', 'ana'])
    inbox.label = 'wholesale'
    expect(inbox.visible.map((c) => c.id)).toEqual(['ana'])
  })
})
