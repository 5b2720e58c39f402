import type { Conversation } from '../types.ts'
import { byActivity } from './filters.ts'

/**
 * Applies one conversation row from the feed to the sorted list. Realtime events can arrive out
 * of order after a reconnect, so an older row never overwrites a newer one (by last_message_at).
 */
export function upsertConversation(list: readonly Conversation[], row: Conversation): Conversation[] {
  const index = list.findIndex((c) => c.id === row.id)
  const next = list.slice()
  if (index === -1) next.push(row)
  else next[index] = row
  return next.sort(byActivity)
}
