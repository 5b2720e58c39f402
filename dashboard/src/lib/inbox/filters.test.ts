import { describe, expect, it } from 'vitest'
import type { Conversation } from '../types.ts'
import { conversationRow } from './conversation-fixture.ts'
import { byActivity, FILTERS, matchesFilter, matchesSearch } from './filters.ts'

const ME = 'agent-me'

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
    const tabs = FILTERS.filter((f) => matchesFilter(conversationRow(overrides), f, ME))
    expect(tabs).toEqual(expected)
  })

  it('shows nothing under "mine" without a signed-in agent', () => {
    expect(matchesFilter(conversationRow({ assigned_agent_id: null }), 'mine', null)).toBe(false)
  })
})

describe('matchesSearch', () => {
  it('finds by name ignoring case and accents', () => {
    expect(matchesSearch(conversationRow({}), 'lucia')).toBe(true)
    expect(matchesSearch(conversationRow({}), 'PÉREZ')).toBe(true)
  })

  it('finds by phone digits however they are typed', () => {
    expect(matchesSearch(conversationRow({}), '55 1234')).toBe(true)
    expect(matchesSearch(conversationRow({}), '+52 155')).toBe(true)
    expect(matchesSearch(conversationRow({}), '999')).toBe(false)
  })

  it('finds by the last message text', () => {
    expect(matchesSearch(conversationRow({}), 'talla m')).toBe(true)
    expect(matchesSearch(conversationRow({}), 'zapatos')).toBe(false)
  })

  it('matches everything with an empty query', () => {
    expect(matchesSearch(conversationRow({}), '  ')).toBe(true)
  })
})

describe('byActivity', () => {
  it('puts the latest activity first and silent chats last', () => {
    const list = [
      conversationRow({ id: 'old', last_message_at: '2026-11-25T08:00:00Z' }),
      conversationRow({ id: 'silent', last_message_at: null }),
      conversationRow({ id: 'new', last_message_at: '2026-11-25T11:00:00Z' }),
    ]
    expect(list.sort(byActivity).map((c) => c.id)).toEqual(['new', 'old', 'silent'])
  })
})
