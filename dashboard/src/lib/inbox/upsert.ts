import type { Conversation } from '../types.ts'
import { byActivity } from './filters.ts'

/**
 * Applies conversation rows (a page from the server, or one row from the feed) to the sorted list:
 * a row replaces the one with its id, and the list is sorted once (a page of 500 merged row by row
 * would sort 500 times).
 */
export function mergeConversations(
  list: readonly Conversation[],
  rows: readonly Conversation[],
): Conversation[] {
  const byId = new Map(list.map((c) => [c.id, c]))
  for (const row of rows) byId.set(row.id, row)
  return [...byId.values()].sort(byActivity)
}

export function upsertConversation(list: readonly Conversation[], row: Conversation): Conversation[] {
  return mergeConversations(list, [row])
}
