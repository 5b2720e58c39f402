import { describe, expect, it } from 'vitest'
import { anchorOf, firstUnread, layout, rowAt, visibleRange } from './thread-window.ts'

const ids = ['a', 'b', 'c', 'd', 'e']

describe('thread window', () => {
  it('sums measured heights and estimates, with room for the unread marker', () => {
    const heights = new Map([
      ['a', 100],
      ['c', 30],
    ])
    expect([...layout(ids, heights, 50)]).toEqual([0, 100, 150, 180, 230, 280])
    expect([...layout(ids, heights, 50, { before: 2, height: 20 })]).toEqual([0, 100, 150, 200, 250, 300])
  })

  it('finds the row under a point and the rows meeting the viewport', () => {
    const offsets = layout(ids, new Map(), 100)
    expect([rowAt(offsets, 0), rowAt(offsets, 99), rowAt(offsets, 100), rowAt(offsets, 10_000)]).toEqual([
      0, 0, 1, 4,
    ])
    expect(visibleRange(offsets, 150, 100, 0)).toEqual({ start: 1, end: 3 })
    expect(visibleRange(offsets, 150, 100, 100)).toEqual({ start: 0, end: 4 })
    expect(visibleRange(layout([], new Map(), 100), 0, 100, 0)).toEqual({ start: 0, end: 0 })
    // Past the end: the bottom screen.
    expect(visibleRange(offsets, Number.POSITIVE_INFINITY, 100, 0)).toEqual({ start: 4, end: 5 })
    expect(visibleRange(offsets, Number.POSITIVE_INFINITY, 250, 0)).toEqual({ start: 2, end: 5 })
  })

  it('keeps the reader on the same row when rows are added above', () => {
    const before = layout(ids, new Map(), 100)
    const anchor = anchorOf(ids, before, 230)
    expect(anchor).toEqual({ id: 'c', delta: 30 })
    const after = layout(['x', 'y', ...ids], new Map(), 100)
    expect((after[['x', 'y', ...ids].indexOf('c')] ?? 0) + (anchor?.delta ?? 0)).toBe(430)
  })

  it("marks the first of the customer's unread messages, skipping the desk's own rows", () => {
    const thread = [
      { id: '1', direction: 'in', type: 'text' },
      { id: '2', direction: 'out', type: 'text' },
      { id: '3', direction: 'in', type: 'text' },
      { id: '4', direction: 'out', type: 'event' },
      { id: '5', direction: 'in', type: 'image' },
    ]
    expect(firstUnread(thread, 2)).toBe('3')
    expect(firstUnread(thread, 0)).toBeNull()
    expect(firstUnread(thread, 9)).toBeNull()
  })
})
