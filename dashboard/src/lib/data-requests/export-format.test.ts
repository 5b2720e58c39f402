import { describe, expect, it } from 'vitest'
import { type ExportRecord, toCsv, toJsonl } from './export-format.ts'

const record: ExportRecord = {
  message_id: 'm1',
  created_at: '2026-12-01T10:00:00.123456+00:00',
  conversation_id: 'c1',
  channel: 'WhatsApp',
  customer_name: 'Ana "la jefa", CDMX',
  customer_phone: '5215511111111',
  direction: 'in',
  author: 'customer',
  agent: null,
  note: false,
  type: 'audio',
  body: 'línea 1\nlínea 2',
  transcript: '=HYPERLINK("x")',
  media_mimetype: 'audio/ogg',
  media_filename: null,
  media_url: 'https://x/y?token=a,b',
  status: 'received',
}

describe('export files', () => {
  it('CSV quotes commas, quotes and newlines, keeps formulas as text, and ends lines with CRLF', () => {
    const [header, line, end] = toCsv([record]).split('\r\n')
    expect(header?.startsWith('created_at,conversation_id,channel,customer_name')).toBe(true)
    expect(line).toContain('"Ana ""la jefa"", CDMX"')
    expect(line).toContain('"línea 1\nlínea 2"')
    expect(line).toContain(`"'=HYPERLINK(""x"")"`)
    expect(line).toContain('"https://x/y?token=a,b"')
    expect(end).toBe('')
  })

  it('JSONL is one object per line with every column', () => {
    const lines = toJsonl([record, { ...record, message_id: 'm2' }])
      .trimEnd()
      .split('\n')
    expect(lines.map((l) => JSON.parse(l).message_id)).toEqual(['m1', 'm2'])
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      body: 'línea 1\nlínea 2',
      media_url: record.media_url,
    })
  })
})
