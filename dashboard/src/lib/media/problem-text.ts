import { type Locale, type Translate, translateError } from '../i18n/translate.ts'
import type { AttachmentProblem } from './attachment.svelte.ts'
import { formatBytes } from './media-content.ts'

/** Why a file cannot be sent, as the sentence the composer shows. */
export function problemText(problem: AttachmentProblem, t: Translate, locale: Locale): string {
  switch (problem.reason) {
    case 'too_large':
      return t('media.tooLarge', {
        name: problem.name,
        size: formatBytes(problem.size, locale),
        kind: t(`media.kind.${problem.kind}`),
        max: formatBytes(problem.maxBytes, locale),
      })
    case 'type':
      return t('media.typeRefused', { type: problem.mimetype })
    case 'empty':
      return t('media.empty')
    case 'error':
      return translateError(locale, problem.code)
  }
}
