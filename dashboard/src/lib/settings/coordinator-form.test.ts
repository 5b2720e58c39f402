import { MAPPING_PRESETS } from '@relevo/supabase/coordinator-mapping'
import { describe, expect, it } from 'vitest'
import { choose, parseCoordinatorForm, toCoordinatorForm } from './coordinator-form.ts'

const custom = {
  body: '{"input": {"text": "{{message}}"}}',
  headers: { Authorization: 'Bearer {{secret}}' },
  reply_path: 'data.answer',
  handoff_path: 'data.escalate',
  reason_path: 'data.why',
}

describe('coordinator mapping form', () => {
  it('shows no mapping as the v1 preset and saves the v1 preset as null (the signed contract)', () => {
    const form = toCoordinatorForm(null)
    expect(form.choice).toBe('relevo_v1')
    expect(form.body).toBe(MAPPING_PRESETS.relevo_v1.body)
    expect(parseCoordinatorForm(form)).toEqual({ ok: true, mapping: null })
  })

  it('recognizes the plain preset and round-trips a custom mapping, headers as lines', () => {
    expect(toCoordinatorForm(MAPPING_PRESETS.plain).choice).toBe('plain')
    const form = toCoordinatorForm(custom)
    expect(form).toMatchObject({ choice: 'custom', headers: 'Authorization: Bearer {{secret}}' })
    expect(parseCoordinatorForm(form)).toEqual({ ok: true, mapping: custom })
  })

  it('choosing a preset fills the fields; custom keeps them to edit', () => {
    const plain = choose(toCoordinatorForm(custom), 'plain')
    expect(plain).toMatchObject({
      choice: 'plain',
      body: MAPPING_PRESETS.plain.body,
      headers: '',
      handoff_path: '',
    })
    expect(choose(plain, 'custom')).toEqual({ ...plain, choice: 'custom' })
  })

  it('says what is wrong: a header line without a colon, an unknown placeholder, a bad path', () => {
    const result = parseCoordinatorForm({
      ...toCoordinatorForm(custom),
      headers: 'Authorization Bearer',
      body: '{"t": "{{mesage}}"}',
      reply_path: 'data[0]',
    })
    expect(result.ok).toBe(false)
    const problems = result.ok ? [] : result.problems
    expect(problems.join('\n')).toContain('"Authorization Bearer" is not "Name: value"')
    expect(problems.join('\n')).toContain('{{mesage}} is not a placeholder')
    expect(problems.join('\n')).toContain('reply_path: a dotted path')
  })
})
