import { describe, expect, it } from 'vitest'
import { summarizePresence } from './presence.ts'

const meta = (user_id: string, name: string, viewing: string | null, typing = false) => ({
  user_id,
  name,
  viewing_conversation_id: viewing,
  typing,
  presence_ref: `ref-${user_id}-${viewing}`,
})

describe('summarizePresence', () => {
  const state = {
    me: [meta('me', 'Admin', 'c1', true)],
    ana: [meta('ana', 'Ana', 'c2'), meta('ana', 'Ana', 'c1', true)],
    leo: [meta('leo', 'Leo', 'c1')],
    bad: [{ nonsense: true }],
  }

  it('lists each agent online once, by name', () => {
    expect(summarizePresence(state, 'me', null).online.map((m) => m.name)).toEqual(['Admin', 'Ana', 'Leo'])
  })

  it('shows the other agents in this chat and who of them is typing, never myself', () => {
    const summary = summarizePresence(state, 'me', 'c1')
    expect(summary.viewers.map((m) => m.user_id)).toEqual(['ana', 'leo'])
    expect(summary.typers.map((m) => m.user_id)).toEqual(['ana'])
  })

  it('has no viewers for a chat nobody else opened', () => {
    expect(summarizePresence(state, 'me', 'c9')).toMatchObject({ viewers: [], typers: [] })
  })
})
