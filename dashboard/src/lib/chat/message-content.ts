import type { Translate } from '../i18n/translate.ts'
import type { Message } from '../types.ts'

/** What a message bubble shows as its text. */
export interface MessageContent {
  text: string
  /** Deleted for everyone: `text` is the notice, and nothing of the message remains but who sent it and when. */
  deleted: boolean
  /** When the sender last edited it, for the "Edited" label; null if never edited (or deleted since). */
  editedAt: string | null
}

/**
 * A message's text as WhatsApp shows it to the other side of the chat: a message deleted for everyone
 * keeps its place as "This message was deleted" (its body and media are gone,
 * supabase/migrations/20261125001100_revokes_and_edits.sql), an edited one shows its new text marked
 * as edited, and one without text shows its type ("[image]").
 */
export function messageContent(
  msg: Pick<Message, 'body' | 'type' | 'deleted_at' | 'edited_at'>,
  t: Translate,
): MessageContent {
  if (msg.deleted_at) return { text: t('message.deleted'), deleted: true, editedAt: null }
  return { text: msg.body || `[${msg.type}]`, deleted: false, editedAt: msg.edited_at }
}
