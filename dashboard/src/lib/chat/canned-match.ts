import type { CannedReply } from '../types.ts'

/**
 * The `/` shortcut: when the composer text is "/" plus a partial shortcut (nothing else yet),
 * the canned replies whose shortcut starts with it. Null means the menu is closed.
 */
export function cannedMatches(text: string, replies: readonly CannedReply[]): CannedReply[] | null {
  const match = /^\/([a-z0-9_-]*)$/i.exec(text)
  if (!match) return null
  const prefix = (match[1] ?? '').toLowerCase()
  return replies.filter((r) => r.shortcut.startsWith(prefix))
}

export const MAX_BODY = 4096
