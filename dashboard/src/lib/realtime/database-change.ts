import type { Change } from '../types.ts'

const OPERATIONS = new Set(['INSERT', 'UPDATE', 'DELETE'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The change a feed message carries, or null when the message did not come from the database
 * (ADR 070). Realtime marks what it read from realtime.messages with `meta.id`; a client's own
 * broadcast cannot carry one, and the server refuses clients' broadcasts on the feed anyway. The
 * payload must also have realtime.broadcast_changes' shape, so nothing else is applied as a row.
 */
export function databaseChange(message: {
  event?: unknown
  meta?: unknown
  payload?: unknown
}): Change | null {
  const { meta, payload } = message
  if (!isRecord(meta) || (typeof meta.id !== 'string' && typeof meta.id !== 'number')) return null
  if (!isRecord(payload) || payload.schema !== 'public' || typeof payload.table !== 'string') return null
  if (typeof payload.operation !== 'string' || !OPERATIONS.has(payload.operation)) return null
  if (payload.operation !== message.event) return null
  const record = payload.record ?? null
  const old = payload.old_record ?? null
  if ((record !== null && !isRecord(record)) || (old !== null && !isRecord(old))) return null
  // The database sent it, so its records are rows of the table it names (the generated types).
  return {
    operation: payload.operation,
    table: payload.table,
    schema: payload.schema,
    record,
    old_record: old,
  } as Change
}
