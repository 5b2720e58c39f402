/**
 * The thread's windowing arithmetic (ADR 099): rows have their measured height once they have
 * been on screen and an estimate before, the offsets are their running sum, and only the rows
 * that meet the viewport (plus a margin) are rendered between two spacers.
 */

/** Offsets of each row's top, and the total height at [ids.length]. `extra` adds space before a row (the unread marker). */
export function layout(
  ids: readonly string[],
  heights: ReadonlyMap<string, number>,
  estimate: number,
  extra: { before: number; height: number } | null = null,
): Float64Array {
  const offsets = new Float64Array(ids.length + 1)
  for (let i = 0; i < ids.length; i++) {
    const pad = extra && extra.before === i ? extra.height : 0
    offsets[i + 1] = (offsets[i] ?? 0) + pad + (heights.get(ids[i] as string) ?? estimate)
  }
  return offsets
}

/** The row under `y`: the last one whose top is at or above it (binary search). */
export function rowAt(offsets: Float64Array, y: number): number {
  let lo = 0
  let hi = Math.max(0, offsets.length - 2)
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((offsets[mid] ?? 0) <= y) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * Rows [start, end) that meet the viewport widened by `margin` pixels each way. A `scrollTop` past
 * the end means the bottom screen: a thread opens there before its scroller has reported a position,
 * so the newest rows are the first ones rendered.
 */
export function visibleRange(
  offsets: Float64Array,
  scrollTop: number,
  viewport: number,
  margin: number,
): { start: number; end: number } {
  const rows = offsets.length - 1
  if (rows <= 0) return { start: 0, end: 0 }
  const top = Math.min(scrollTop, Math.max(0, (offsets[rows] ?? 0) - viewport))
  const start = rowAt(offsets, Math.max(0, top - margin))
  const end = Math.min(rows, rowAt(offsets, top + viewport + margin) + 1)
  return { start, end }
}

/** Where the reader is: the row at the top of the viewport and how far into it, to keep it still across changes. */
export function anchorOf(ids: readonly string[], offsets: Float64Array, scrollTop: number) {
  const index = rowAt(offsets, scrollTop)
  const id = ids[index]
  return id === undefined ? null : { id, delta: scrollTop - (offsets[index] ?? 0) }
}

/** The first unread customer message of a chat opened with `unread` unread ones, or null. */
export function firstUnread(
  messages: readonly { id: string; direction: string; type: string }[],
  unread: number,
): string | null {
  if (unread <= 0) return null
  let left = unread
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m && m.direction === 'in' && m.type !== 'event') {
      left -= 1
      if (left === 0) return m.id
    }
  }
  return null
}
