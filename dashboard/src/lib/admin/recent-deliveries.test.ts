import { describe, expect, it } from 'vitest'
import type { WebhookDelivery } from './integrations-api.ts'
import { applyDelivery, RECENT_DELIVERIES } from './recent-deliveries.ts'

const delivery = (id: string, createdAt: string, status = 'pending', attempts = 0): WebhookDelivery => ({
  id,
  event_id: `ev-${id}`,
  event_type: 'message_received',
  status,
  attempts,
  last_latency_ms: null,
  last_status_code: null,
  last_error: null,
  next_attempt_at: createdAt,
  created_at: createdAt,
})

describe('applyDelivery', () => {
  it('replaces a known delivery in place and puts a new one on top', () => {
    const list = [delivery('b', '2026-12-04T10:00:02Z'), delivery('a', '2026-12-04T10:00:01Z')]
    const retried = applyDelivery(list, delivery('a', '2026-12-04T10:00:01Z', 'delivered', 2))
    expect(retried.map((d) => [d.id, d.status, d.attempts])).toEqual([
      ['b', 'pending', 0],
      ['a', 'delivered', 2],
    ])
    expect(applyDelivery(retried, delivery('c', '2026-12-04T10:00:03Z')).map((d) => d.id)).toEqual([
      'c',
      'b',
      'a',
    ])
  })

  it('keeps only the most recent ones', () => {
    let list: WebhookDelivery[] = []
    for (let i = 0; i < RECENT_DELIVERIES + 5; i++)
      list = applyDelivery(list, delivery(`d${i}`, new Date(Date.UTC(2026, 11, 4, 10, 0, i)).toISOString()))
    expect(list).toHaveLength(RECENT_DELIVERIES)
    expect(list[0]?.id).toBe(`d${RECENT_DELIVERIES + 4}`)
    expect(list.at(-1)?.id).toBe('d5')
  })
})
