import { describe, expect, it } from 'vitest'
import type { Change } from '../types.ts'
import { alertFor, tabTitle } from './alert-for.ts'

const conv = (needs: boolean, status = 'open') => ({
  id: 'c1',
  customer_name: 'Lucía',
  customer_phone: '521',
  needs_attention: needs,
  status,
})
const change = (table: string, record: object, old: object | null): Change =>
  ({ operation: 'UPDATE', table, schema: 'public', record, old_record: old }) as unknown as Change

describe('alertFor', () => {
  it('alerts when an open chat starts needing a person, not while it still does', () => {
    expect(alertFor(change('conversations', conv(true), conv(false)))).toEqual({
      kind: 'attention',
      conversationId: 'c1',
      name: 'Lucía',
    })
    expect(alertFor(change('conversations', conv(true), null))?.kind).toBe('attention')
    expect(alertFor(change('conversations', conv(true), conv(true)))).toBeNull()
    expect(alertFor(change('conversations', conv(false), conv(true)))).toBeNull()
    expect(alertFor(change('conversations', conv(true, 'closed'), conv(false)))).toBeNull()
  })

  it('alerts when a number disconnects or logs out, once per drop', () => {
    const chan = (status: string) => ({ id: 'ch', status, phone: '5215500000000', name: 'WhatsApp' })
    expect(alertFor(change('channels', chan('disconnected'), chan('ready')))).toEqual({
      kind: 'channel',
      channelId: 'ch',
      status: 'disconnected',
      name: '5215500000000',
    })
    expect(alertFor(change('channels', chan('logged_out'), chan('qr')))?.kind).toBe('channel')
    // A Cloud API number whose access token stopped working (Graph API error 190).
    expect(alertFor(change('channels', chan('error'), chan('ready')))?.kind).toBe('channel')
    expect(alertFor(change('channels', chan('disconnected'), chan('disconnected')))).toBeNull()
    expect(alertFor(change('channels', chan('ready'), chan('disconnected')))).toBeNull()
    expect(alertFor(change('messages', chan('disconnected'), null))).toBeNull()
  })

  it('does not alert when an admin removes a number (it is disconnected on purpose)', () => {
    const removed = {
      id: 'ch',
      status: 'disconnected',
      phone: null,
      name: 'Ventas',
      archived_at: '2026-12-05T10:00:00Z',
    }
    expect(
      alertFor(change('channels', removed, { ...removed, status: 'ready', archived_at: null })),
    ).toBeNull()
  })

  it('alerts admins when a day of failures paused a webhook endpoint, once', () => {
    const endpoint = (pausedAt: string | null, active = pausedAt === null) => ({
      id: 'e1',
      url: 'https://crm.example.com/relevo',
      active,
      auto_paused_at: pausedAt,
    })
    const at = '2026-12-04T10:00:00Z'
    expect(alertFor(change('webhook_endpoints', endpoint(at), endpoint(null)))).toEqual({
      kind: 'endpoint',
      endpointId: 'e1',
      url: 'https://crm.example.com/relevo',
    })
    expect(alertFor(change('webhook_endpoints', endpoint(at), endpoint(at)))).toBeNull()
    // Paused by an admin: no alert.
    expect(alertFor(change('webhook_endpoints', endpoint(null, false), endpoint(null)))).toBeNull()
  })
})

describe('tabTitle', () => {
  it('puts chats waiting for a person before unread ones', () => {
    expect(tabTitle(0, 0)).toBe('Relevo')
    expect(tabTitle(2, 0)).toBe('(2) Relevo')
    expect(tabTitle(5, 2)).toBe('⚠ 2 · (5) Relevo')
  })
})
