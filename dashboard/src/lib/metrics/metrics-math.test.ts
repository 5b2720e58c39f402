import { afterEach, describe, expect, it, vi } from 'vitest'
import { aiShare, bucketSeries, rangeFor, sumTokens } from './metrics-math.ts'
import { throttle } from './throttle.ts'

describe('rangeFor', () => {
  const now = new Date(2026, 10, 25, 15, 30)
  it('ends just after now and starts at midnight, 24 h, 7 or 30 days before', () => {
    expect(rangeFor('today', now).from).toEqual(new Date(2026, 10, 25))
    expect(rangeFor('24h', now).from).toEqual(new Date(2026, 10, 24, 15, 30))
    expect(rangeFor('7d', now).from).toEqual(new Date(2026, 10, 18, 15, 30))
    expect(rangeFor('30d', now).to.getTime()).toBe(now.getTime() + 1000)
  })
})

describe('aiShare', () => {
  it('counts AI against every reply by a person or the AI, not automatic texts', () => {
    expect(aiShare({ ai: 6, agent: 3, phone: 1, system: 4 })).toEqual({ ai: 6, total: 10, percent: 60 })
    expect(aiShare({})).toEqual({ ai: 0, total: 0, percent: null })
  })
})

describe('bucketSeries', () => {
  it('fills every hour of a day, by author', () => {
    const from = new Date('2026-11-25T10:00:00Z')
    const to = new Date('2026-11-25T14:00:00Z')
    const { unit, buckets } = bucketSeries(
      [
        { hour: '2026-11-25T11:00:00+00:00', author: 'customer', count: 3 },
        { hour: '2026-11-25T11:00:00+00:00', author: 'ai', count: 2 },
        { hour: '2026-11-25T13:00:00+00:00', author: 'system', count: 1 },
        { hour: '2026-11-26T13:00:00+00:00', author: 'ai', count: 9 },
      ],
      from,
      to,
    )
    expect(unit).toBe('hour')
    expect(buckets.map((b) => b.total)).toEqual([0, 5, 0, 1])
    expect(buckets[1]?.counts).toEqual({ customer: 3, ai: 2, agent: 0, phone: 0, system: 0 })
    expect(buckets[3]?.counts.system).toBe(1)
  })

  it('switches to days beyond two days', () => {
    const from = new Date(2026, 10, 18, 12)
    const to = new Date(2026, 10, 25, 12)
    const { unit, buckets } = bucketSeries(
      [{ hour: new Date(2026, 10, 20, 9).toISOString(), author: 'agent', count: 4 }],
      from,
      to,
    )
    expect(unit).toBe('day')
    expect(buckets).toHaveLength(8)
    expect(buckets[2]?.counts.agent).toBe(4)
  })
})

describe('sumTokens', () => {
  it('adds prompt and completion, treating null as zero', () => {
    expect(
      sumTokens([
        { day: 'd1', prompt: 100, completion: 20 },
        { day: 'd2', prompt: null, completion: 5 },
      ]),
    ).toBe(125)
  })
})

describe('throttle', () => {
  afterEach(() => vi.useRealTimers())
  it('runs at once, folds a burst into one trailing run, then is idle', () => {
    vi.useFakeTimers()
    const fn = vi.fn()
    const t = throttle(fn, 1000)
    t.call()
    t.call()
    t.call()
    expect(fn).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1000)
    expect(fn).toHaveBeenCalledTimes(2)
    vi.advanceTimersByTime(5000)
    expect(fn).toHaveBeenCalledTimes(2)
    t.call()
    expect(fn).toHaveBeenCalledTimes(3)
    t.call()
    t.cancel()
    vi.advanceTimersByTime(5000)
    expect(fn).toHaveBeenCalledTimes(3)
  })
})
