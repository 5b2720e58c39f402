import { describe, expect, it } from 'vitest'
import { translate } from '../i18n/translate.ts'
import type { Message } from '../types.ts'
import { describeEvent } from './describe-event.ts'

const names: Record<string, string> = { ana: 'Ana', leo: 'Leo' }
const nameOf = (id: string | null) => (id ? names[id] : undefined)

function event(body: string, media: Record<string, unknown>, agent_id: string | null = null): Message {
  return { body, media, agent_id, type: 'event', private: true, author: 'system' } as Message
}

describe('describeEvent', () => {
  const es = (m: Message) => describeEvent(m, (k, p) => translate('es', k, p), nameOf)
  const en = (m: Message) => describeEvent(m, (k, p) => translate('en', k, p), nameOf)

  it('names the agent who took over, in both languages', () => {
    const m = event('takeover', { agent_name: 'Ana', actor_kind: 'agent' }, 'ana')
    expect(en(m)).toBe('Ana took over')
    expect(es(m)).toBe('Ana tomó el control')
  })

  it('says when a takeover came from sending, or from the phone', () => {
    expect(en(event('takeover', { agent_name: 'Ana', by_sending: true }, 'ana'))).toBe(
      'Ana replied and took over',
    )
    expect(en(event('takeover', { by_phone: true, actor_kind: 'phone' }))).toBe(
      'Answered from the phone: manual mode',
    )
  })

  it('finds the name of a handback from the agents list', () => {
    expect(en(event('handback', { previous_mode: 'human' }, 'leo'))).toBe(
      'Leo handed the chat back to the AI',
    )
  })

  it('shows the handoff reason and assignments', () => {
    expect(en(event('handoff', { reason: 'customer asked for a person' }))).toBe(
      'The AI handed the chat to a person: customer asked for a person',
    )
    expect(en(event('assign', { agent_name: 'Ana', assignee_id: 'leo', assignee_name: 'Leo' }, 'ana'))).toBe(
      'Ana assigned the chat to Leo',
    )
    expect(es(event('assign', { agent_name: 'Ana', assignee_id: null }, 'ana'))).toBe(
      'Ana quitó la asignación',
    )
  })

  it('falls back to "someone" for an unknown actor', () => {
    expect(en(event('close', {}, 'gone'))).toBe('Someone closed the conversation')
  })
})
