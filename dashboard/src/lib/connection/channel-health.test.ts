import { describe, expect, it } from 'vitest'
import type { Channel } from '../admin/types.ts'
import { channelHealth, showsQr, upsertChannel } from './channel-health.ts'

const now = Date.parse('2026-11-25T12:00:00Z')
const base: Channel = {
  id: 'c1',
  tenant_id: 't',
  kind: 'whatsapp_web',
  name: 'WhatsApp',
  phone: null,
  status: 'qr',
  last_heartbeat_at: '2026-11-25T11:59:58Z',
  status_changed_at: '2026-11-25T11:00:00Z',
  relink_requested_at: null,
}

describe('channelHealth', () => {
  it('is live within a minute of the last heartbeat, stale after, never without one', () => {
    expect(channelHealth(base, now)).toEqual({ kind: 'live' })
    expect(channelHealth({ last_heartbeat_at: '2026-11-25T11:58:59Z' }, now)).toEqual({
      kind: 'stale',
      silentMinutes: 1,
    })
    expect(channelHealth({ last_heartbeat_at: '2026-11-25T11:30:00Z' }, now)).toEqual({
      kind: 'stale',
      silentMinutes: 30,
    })
    expect(channelHealth({ last_heartbeat_at: null }, now)).toEqual({ kind: 'never' })
  })
})

describe('showsQr', () => {
  it('shows an unexpired QR only in status qr', () => {
    const link = { qr: '2@abc', qr_expires_at: '2026-11-25T12:00:30Z' }
    expect(showsQr('qr', link, now)).toBe(true)
    expect(showsQr('ready', link, now)).toBe(false)
    expect(showsQr('qr', { ...link, qr: null }, now)).toBe(false)
    expect(showsQr('qr', undefined, now)).toBe(false)
    expect(showsQr('qr', { ...link, qr_expires_at: '2026-11-25T11:59:00Z' }, now)).toBe(false)
    expect(showsQr('qr', { ...link, qr_expires_at: null }, now)).toBe(true)
  })
})

describe('upsertChannel', () => {
  it('replaces by id and appends unknown channels', () => {
    const ready = { ...base, status: 'ready' as const }
    expect(upsertChannel([base], ready)).toEqual([ready])
    expect(upsertChannel([base], { ...base, id: 'c2' }).map((c) => c.id)).toEqual(['c1', 'c2'])
  })
})
