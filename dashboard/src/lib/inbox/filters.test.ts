import { describe, expect, it } from 'vitest'
import type { Conversation } from '../types.ts'
import { byActivity, FILTERS, matchesFilter, matchesSearch } from './filters.ts'

const ME = 'agent-me'

function conv(overrides: Partial<Conversation>): Conversation {
  return {
    id: 'c1',
    tenant_id: 't',
    channel_id: 'ch',
    wa_chat_id: '5215512345678@c.us',
    customer_name: 'Lucía Pérez',
    customer_phone: '5215512345678',
    mode: 'ai',
    assigned_agent_id: null,
    status: 'open',
    needs_attention: false,
    attention_reason: null,
    unread_count: 0,
    last_message_at: '2026-11-25T10:00:00Z',
    last_message_preview: '¿Tienen la camiseta en talla M?',
    created_at: '2026-11-25T09:00:00Z',
    ...overrides,
  }
}

const cases: [string, Partial<Conversation>, string[]][] = [
  ['open ai chat', {}, ['all', 'unassigned', 'ai']],
  ['mine, manual', { mode: 'human', assigned_agent_id: ME }, ['all', 'mine', 'manual']],
  ['someone else, manual', { mode: 'human', assigned_agent_id: 'other' }, ['all', 'manual']],
  [
    'handed off, waiting',
    { mode: 'human', needs_attention: true },
    ['all', 'unassigned', 'waiting', 'manual', 'attention'],
  ],
  ['closed', { status: 'closed', assigned_agent_id: ME }, ['closed']],
]

describe('matchesFilter', () => {
  it.each(cases)('%s shows under exactly its tabs', (_name, overrides, expected) => {
    const tabs = FILTERS.filter((f) => matchesFilter(conv(overrides), f, ME))
    expect(tabs).toEqual(expected)
  })

  it('shows nothing under "mine" without a signed-in agent', () => {
    expect(matchesFilter(conv({ assigned_agent_id: null }), 'mine', null)).toBe(false)
  })
})

describe('matchesSearch', () => {
  it('finds by name ignoring case and accents', () => {
    expect(matchesSearch(conv({}), 'lucia')).toBe(true)
    expect(matchesSearch(conv({}), 'PÉREZ')).toBe(true)
  })

  it('finds by phone digits however they are typed', () => {
    expect(matchesSearch(conv({}), '55 1234')).toBe(true)
    expect(matchesSearch(conv({}), '+52 155')).toBe(true)
    expect(matchesSearch(conv({}), '999')).toBe(false)
  })

  it('finds by the last message text', () => {
    expect(matchesSearch(conv({}), 'talla m')).toBe(true)
    expect(matchesSearch(conv({}), 'zapatos')).toBe(false)
  })

  it('matches everything with an empty query', () => {
    expect(matchesSearch(conv({}), '  ')).toBe(true)
  })
})

describe('byActivity', () => {
  it('puts the latest activity first and silent chats last', () => {
    const list = [
      conv({ id: 'old', last_message_at: '2026-11-25T08:00:00Z' }),
      conv({ id: 'silent', last_message_at: null }),
      conv({ id: 'new', last_message_at: '2026-11-25T11:00:00Z' }),
    ]
    expect(list.sort(byActivity).map((c) => c.id)).toEqual(['new', 'old', 'silent'])
  })
})
