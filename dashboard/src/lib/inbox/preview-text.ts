import type { Translate } from '../i18n/translate.ts'

/** What record_revoke writes as the preview when a chat's latest message was deleted for everyone. */
const DELETED = '[deleted]'

/** A conversation's last-message preview as the list shows it. */
export function previewText(preview: string | null, t: Translate): string {
  return preview === DELETED ? t('inbox.previewDeleted') : (preview ?? '')
}
