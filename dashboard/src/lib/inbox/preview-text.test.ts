import { describe, expect, it } from 'vitest'
import { translate } from '../i18n/translate.ts'
import { previewText } from './preview-text.ts'

describe('previewText', () => {
  it('says a deleted latest message in the agent language', () => {
    expect(previewText('[deleted]', (k) => translate('en', k))).toBe('Message deleted')
    expect(previewText('[deleted]', (k) => translate('es', k))).toBe('Mensaje eliminado')
  })

  it('shows any other preview as it is', () => {
    expect(previewText('¿Tienen talla M?', (k) => translate('en', k))).toBe('¿Tienen talla M?')
    expect(previewText(null, (k) => translate('en', k))).toBe('')
  })
})
