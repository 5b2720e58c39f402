import { describe, expect, it } from 'vitest'
import { neighbour, SHORTCUTS, shortcutFor } from './shortcuts.ts'

const key = (k: string, mods: { altKey?: boolean; ctrlKey?: boolean } = {}) => ({
  key: k,
  altKey: mods.altKey ?? false,
  ctrlKey: mods.ctrlKey ?? false,
  metaKey: false,
})

describe('keyboard shortcuts', () => {
  it('acts on single keys outside text fields only', () => {
    expect(shortcutFor(key('j'), false)).toBe('nextChat')
    expect(shortcutFor(key('?'), false)).toBe('help')
    expect(shortcutFor(key('j'), true)).toBeNull()
    expect(shortcutFor(key('j', { ctrlKey: true }), false)).toBeNull()
    expect(shortcutFor(key('x'), false)).toBeNull()
  })

  it('moves between chats with Alt + arrows even while typing', () => {
    expect(shortcutFor(key('ArrowDown', { altKey: true }), true)).toBe('nextChat')
    expect(shortcutFor(key('ArrowUp', { altKey: true }), true)).toBe('prevChat')
    expect(shortcutFor(key('j', { altKey: true }), false)).toBeNull()
  })

  it('lists every action in the help once', () => {
    const actions = SHORTCUTS.map((s) => s.action)
    expect(new Set(actions).size).toBe(actions.length)
    for (const a of ['nextChat', 'prevChat', 'search', 'composer', 'latest', 'panel', 'help'])
      expect(actions).toContain(a)
  })

  it('picks the neighbouring chat and stops at the ends', () => {
    expect(neighbour(['a', 'b', 'c'], 'b', 1)).toBe('c')
    expect(neighbour(['a', 'b', 'c'], 'c', 1)).toBe('c')
    expect(neighbour(['a', 'b', 'c'], 'a', -1)).toBe('a')
    expect(neighbour(['a', 'b', 'c'], null, 1)).toBe('a')
    expect(neighbour([], 'a', 1)).toBeNull()
  })
})
