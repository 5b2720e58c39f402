import { describe, expect, it } from 'vitest'
import { type Locale, translate } from '../i18n/translate.ts'
import type { AttachmentProblem } from './attachment.svelte.ts'
import { problemText } from './problem-text.ts'

const text = (problem: AttachmentProblem, locale: Locale = 'en') =>
  problemText(problem, (k, p) => translate(locale, k, p), locale)

describe('problemText', () => {
  it('names the file, its size and the limit of its kind', () => {
    const big = {
      ok: false,
      reason: 'too_large',
      kind: 'image',
      maxBytes: 16_777_216,
      name: 'foto.png',
      size: 17_000_000,
    } as const
    expect(text(big)).toBe('foto.png is 17 MB: the limit for images is 16.8 MB. Nothing was uploaded.')
    expect(text(big, 'es')).toBe('foto.png pesa 17 MB: el máximo para imágenes es 16,8 MB. No se subió nada.')
  })

  it('names a refused type, and translates upload errors by code', () => {
    expect(text({ ok: false, reason: 'type', mimetype: 'image/svg+xml', name: 'a.svg', size: 10 })).toBe(
      'Files of type image/svg+xml cannot be sent. Nothing was uploaded.',
    )
    expect(text({ ok: false, reason: 'error', code: 'upload_failed' })).toBe(
      'The file could not be uploaded. Try again.',
    )
    expect(text({ ok: false, reason: 'error', code: 'nonsense' })).toBe(translate('en', 'error.generic'))
  })
})
