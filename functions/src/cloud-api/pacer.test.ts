import { describe, expect, it } from 'vitest'
import { createPacer } from './pacer.ts'

/** A clock that only moves when the pacer sleeps, plus a per-sleep overshoot like a late timer. */
function fakeClock(overshootMs: number) {
  let t = 1_000
  const starts: number[] = []
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms + overshootMs
    },
    starts,
    stall: (ms: number) => {
      t += ms
    },
  }
}

async function run(clock: ReturnType<typeof fakeClock>, pacer: () => Promise<void>, n: number) {
  for (let i = 0; i < n; i++) {
    await pacer()
    clock.starts.push(clock.now())
  }
}

function busiestSecond(starts: number[]): number {
  return Math.max(...starts.map((t) => starts.filter((u) => u >= t && u < t + 1000).length))
}

describe('createPacer', () => {
  it('keeps the configured rate although every timer wakes later than one gap', async () => {
    // A loaded isolate: each sleep overshoots by 15 ms, more than the 12.5 ms gap at 80/s.
    const clock = fakeClock(15)
    await run(clock, createPacer(80, clock.now, clock.sleep), 401)
    const seconds = ((clock.starts.at(-1) ?? 0) - (clock.starts[0] ?? 0)) / 1000
    // 400 gaps of 12.5 ms = 5 s; a pacer that restarts from each late wake-up runs at about 73/s.
    expect(400 / seconds).toBeGreaterThan(76)
    expect(busiestSecond(clock.starts)).toBeLessThanOrEqual(88)
  })

  it('makes up a stall only within the slack: no burst above the rate + 10 %', async () => {
    const clock = fakeClock(0)
    const pacer = createPacer(80, clock.now, clock.sleep)
    await run(clock, pacer, 40)
    clock.stall(2_000)
    await run(clock, pacer, 200)
    expect(busiestSecond(clock.starts)).toBeLessThanOrEqual(88)
    expect(busiestSecond(clock.starts)).toBeGreaterThanOrEqual(80)
  })

  it('starts at once when idle', async () => {
    const clock = fakeClock(0)
    const pacer = createPacer(80, clock.now, clock.sleep)
    await pacer()
    expect(clock.now()).toBe(1_000)
  })
})
