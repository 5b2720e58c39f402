import type { Json } from '@relevo/supabase/types'
import { describe, expect, it } from 'vitest'
import type { AuditEntry } from '../admin/types.ts'
import { translate } from '../i18n/translate.ts'
import { describeActor, describeAudit } from './describe-audit.ts'

const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
  translate('en', key, params)
const es = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
  translate('es', key, params)
const names: Record<string, string> = { a1: 'Admin Demo', a2: 'Ana' }
const nameOf = (id: string | null) => (id ? names[id] : undefined)
const entry = (action: string, details: Json = {}, actor: Partial<AuditEntry> = {}): AuditEntry => ({
  id: 1,
  actor_id: 'a1',
  actor_kind: 'agent',
  action,
  conversation_id: null,
  details,
  created_at: '2026-11-25T12:00:00Z',
  ...actor,
})

describe('describeAudit', () => {
  it('spells out every kind of entry in both languages', () => {
    expect(describeAudit(entry('takeover'), en, nameOf)).toBe('took over a conversation')
    expect(describeAudit(entry('handoff', { reason: 'asked for a person' }), es, nameOf)).toBe(
      'pasó una conversación a una persona: asked for a person',
    )
    expect(
      describeAudit(entry('settings_changed', { fields: ['fallback_text', 'language'] }), en, nameOf),
    ).toBe('changed settings: fallback_text, language')
    expect(
      describeAudit(
        entry('secrets_changed', { openai_api_key: true, shopify_access_token: false }),
        en,
        nameOf,
      ),
    ).toBe('changed credentials: openai_api_key')
    expect(describeAudit(entry('invited', { email: 'new@x.test', role: 'agent' }), es, nameOf)).toBe(
      'invitó a new@x.test como Agente',
    )
    expect(
      describeAudit(entry('agent_updated', { agent_id: 'a2', role: 'agent', active: false }), en, nameOf),
    ).toBe('changed Ana: Agent, deactivated')
    expect(describeAudit(entry('something_new'), en, nameOf)).toBe('something_new')
  })
})

describe('describeActor', () => {
  it('names agents and spells out the other kinds of actor', () => {
    expect(describeActor(entry('takeover'), en, nameOf)).toBe('Admin Demo')
    expect(describeActor(entry('handoff', {}, { actor_kind: 'ai', actor_id: null }), es, nameOf)).toBe('IA')
    expect(describeActor(entry('takeover', {}, { actor_id: 'gone' }), en, nameOf)).toBe('Someone')
  })
})
