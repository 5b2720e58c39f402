/**
 * @module
 * An export's rows as files: CSV (RFC 4180: quoted where needed, CRLF line ends, a header row) for
 * spreadsheets, JSONL (one JSON object per line) for scripts. Pure, so the screen only downloads.
 */
import type { Database } from '@relevo/supabase/types'

type Returned = Database['public']['Functions']['export_messages']['Returns'][number]
/** The generated type cannot tell which columns of a returned table may be null: all but the ids and time. */
export type ExportRow = {
  [K in keyof Returned]: K extends 'message_id' | 'created_at' ? Returned[K] : Returned[K] | null
}
/** A row as written: the file's signed link instead of its bucket path. */
export type ExportRecord = Omit<ExportRow, 'media_path'> & { media_url: string | null }

export const EXPORT_COLUMNS = [
  'created_at',
  'conversation_id',
  'channel',
  'customer_name',
  'customer_phone',
  'direction',
  'author',
  'agent',
  'note',
  'type',
  'body',
  'transcript',
  'media_mimetype',
  'media_filename',
  'media_url',
  'status',
  'message_id',
] as const satisfies readonly (keyof ExportRecord)[]

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  // A leading =, +, - or @ makes spreadsheets run the cell as a formula: kept as text.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function toCsv(records: ExportRecord[]): string {
  const lines = [EXPORT_COLUMNS.join(',')]
  for (const r of records) lines.push(EXPORT_COLUMNS.map((c) => csvCell(r[c])).join(','))
  return `${lines.join('\r\n')}\r\n`
}

export function toJsonl(records: ExportRecord[]): string {
  return (
    records.map((r) => JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, r[c]])))).join('\n') +
    '\n'
  )
}
