import { formatPhone } from '../format/format-phone.ts'
import type { Conversation } from '../types.ts'

export const FILTERS = [
  'all',
  'mine',
  'unassigned',
  'waiting',
  'ai',
  'manual',
  'attention',
  'closed',
] as const
export type InboxFilter = (typeof FILTERS)[number]

/**
 * Which tab a conversation belongs to. Closed chats only show under "closed" so the working
 * tabs stay short; "all" means all open chats (Chatwoot's default view does the same).
 */
export function matchesFilter(conv: Conversation, filter: InboxFilter, myId: string | null): boolean {
  if (filter === 'closed') return conv.status === 'closed'
  if (conv.status === 'closed') return false
  switch (filter) {
    case 'all':
      return true
    case 'mine':
      return myId !== null && conv.assigned_agent_id === myId
    case 'unassigned':
      return conv.assigned_agent_id === null
    // The queue (ADR 095): chats that need a person and have none yet.
    case 'waiting':
      return conv.mode === 'human' && conv.assigned_agent_id === null
    case 'ai':
      return conv.mode === 'ai'
    case 'manual':
      return conv.mode === 'human'
    case 'attention':
      return conv.needs_attention
  }
}

function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
}

/**
 * Local search over what the list already has: name, phone (digits, ignoring spaces and +) and
 * the last message preview. Older message text is searched on the server (inbox store).
 */
export function matchesSearch(conv: Conversation, query: string): boolean {
  const q = normalize(query.trim())
  if (!q) return true
  const digits = q.replace(/[\s+()-]/g, '')
  if (/^\d{3,}$/.test(digits)) {
    const phone = `${conv.customer_phone ?? ''} ${conv.wa_chat_id}`.replace(/\D/g, '')
    if (phone.includes(digits)) return true
  }
  const haystack = normalize(
    [conv.customer_name ?? '', formatPhone(conv.customer_phone), conv.last_message_preview ?? ''].join(' '),
  )
  return haystack.includes(q)
}

/** Last activity first; chats without messages go last, newest created first among them. */
export function byActivity(a: Conversation, b: Conversation): number {
  const at = a.last_message_at ?? ''
  const bt = b.last_message_at ?? ''
  if (at !== bt) return at < bt ? 1 : -1
  return a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0
}

/** How many chats wait in the queue (the tab shows all of them, read or not). */
export function countWaiting(list: readonly Conversation[]): number {
  return list.filter((c) => matchesFilter(c, 'waiting', null)).length
}

export function countUnread(list: readonly Conversation[], filter: InboxFilter, myId: string | null): number {
  return list.filter((c) => matchesFilter(c, filter, myId) && c.unread_count > 0).length
}
