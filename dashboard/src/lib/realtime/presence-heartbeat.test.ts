import { afterEach, describe, expect, it, vi } from 'vitest'
import { PresenceHeartbeat } from './presence-heartbeat.ts'

describe('PresenceHeartbeat', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('touches at once, then every period while started, and never after stop', async () => {
    vi.useFakeTimers()
    const touch = vi.fn(() => Promise.resolve())
    const heartbeat = new PresenceHeartbeat(touch, 20_000)
    heartbeat.start()
    heartbeat.start()
    expect(touch).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(touch).toHaveBeenCalledTimes(4)
    heartbeat.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(touch).toHaveBeenCalledTimes(4)
  })

  it('keeps beating after a failed touch', async () => {
    vi.useFakeTimers()
    const touch = vi.fn(() => Promise.reject(new Error('offline')))
    const heartbeat = new PresenceHeartbeat(touch, 1_000)
    heartbeat.start()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(touch).toHaveBeenCalledTimes(3)
    heartbeat.stop()
  })
})
