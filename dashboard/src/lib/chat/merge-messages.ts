import type { Message } from '../types.ts'

function byTime(a: Message, b: Message): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Upserts rows by id into an oldest-first thread; a page of older messages and live events share this. */
export function mergeMessages(list: readonly Message[], rows: readonly Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]))
  for (const row of rows) byId.set(row.id, row)
  return [...byId.values()].sort(byTime)
}
