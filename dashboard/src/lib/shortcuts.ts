/**
 * The desk's keyboard shortcuts (issue 18, item 10): one table, read by the key handler and by
 * the help dialog, so the dialog cannot list a key that does nothing.
 */
export type ShortcutAction = 'nextChat' | 'prevChat' | 'search' | 'composer' | 'latest' | 'panel' | 'help'

export interface Shortcut {
  action: ShortcutAction
  /** What the help dialog shows. */
  keys: string[]
}

export const SHORTCUTS: Shortcut[] = [
  { action: 'nextChat', keys: ['j', 'Alt + ↓'] },
  { action: 'prevChat', keys: ['k', 'Alt + ↑'] },
  { action: 'search', keys: ['/'] },
  { action: 'composer', keys: ['r'] },
  { action: 'latest', keys: ['End'] },
  { action: 'panel', keys: ['i'] },
  { action: 'help', keys: ['?'] },
]

const BARE: Record<string, ShortcutAction> = {
  j: 'nextChat',
  k: 'prevChat',
  '/': 'search',
  r: 'composer',
  End: 'latest',
  i: 'panel',
  '?': 'help',
}

/**
 * The action of a key press, or null. Single keys act only outside text fields (there they are
 * typing); Alt + ↑/↓ move between chats from anywhere, the composer included.
 */
export function shortcutFor(
  event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey'>,
  inField: boolean,
): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey) return null
  if (event.altKey) {
    if (event.key === 'ArrowDown') return 'nextChat'
    if (event.key === 'ArrowUp') return 'prevChat'
    return null
  }
  if (inField) return null
  return BARE[event.key] ?? null
}

/** Whether the key went to something the agent types in. */
export function isField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/** The chat after (or before) the open one in the list as shown, or the first one. */
export function neighbour(ids: readonly string[], current: string | null, step: 1 | -1): string | null {
  if (ids.length === 0) return null
  const at = current ? ids.indexOf(current) : -1
  if (at < 0) return ids[0] ?? null
  return ids[Math.min(ids.length - 1, Math.max(0, at + step))] ?? null
}
