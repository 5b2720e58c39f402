/**
 * @module
 * Spaces send starts evenly at a number's rate (Meta's throughput: 80 messages/s per number by
 * default). Sends overlap (a Graph API call takes far longer than 1/80 s); only their starts are paced.
 *
 * Slots follow a fixed schedule rather than "one gap after the last start": a timer that wakes late
 * (a busy isolate, a claim round trip) would otherwise push every later slot back and the number
 * would run below its rate. Lateness is made up only within `slackMs`, so a stall never turns into a
 * burst: at most slackMs / gap extra starts fall in any one second (4 at 80/s with 50 ms).
 */
export const PACER_SLACK_MS = 50

export function createPacer(
  perSecond: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
  slackMs = PACER_SLACK_MS,
) {
  const gapMs = 1000 / perSecond
  let next = Number.NEGATIVE_INFINITY
  return async function nextSlot(): Promise<void> {
    const at = Math.max(next, now() - slackMs)
    next = at + gapMs
    const wait = at - now()
    if (wait > 0) await sleep(wait)
  }
}
