import { describe, expect, it } from 'vitest'
import { translate } from '../i18n/translate.ts'
import type { Message } from '../types.ts'
import { messageContent } from './message-content.ts'

const en = (m: Partial<Message>) =>
  messageContent({ body: '', type: 'text', deleted_at: null, edited_at: null, ...m }, (k, p) =>
    translate('en', k, p),
  )

describe('messageContent', () => {
  it('shows the body, or the type of a message without text', () => {
    expect(en({ body: 'hola' })).toEqual({ text: 'hola', deleted: false, editedAt: null })
    expect(en({ type: 'image' }).text).toBe('[image]')
  })

  it('marks an edited message with its edit time', () => {
    expect(en({ body: 'new text', edited_at: '2026-11-25T10:05:00Z' })).toEqual({
      text: 'new text',
      deleted: false,
      editedAt: '2026-11-25T10:05:00Z',
    })
  })

  it('shows only the notice for a deleted message, in each language, even if it was edited before', () => {
    const deleted = { type: 'image', deleted_at: '2026-11-25T10:06:00Z', edited_at: '2026-11-25T10:05:00Z' }
    expect(en(deleted)).toEqual({ text: 'This message was deleted', deleted: true, editedAt: null })
    expect(messageContent({ body: '', ...deleted }, (k, p) => translate('es', k, p)).text).toBe(
      'Se eliminó este mensaje',
    )
  })
})
