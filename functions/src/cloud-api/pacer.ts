/**
 * @module
 * Spaces send starts evenly at a number's rate (Meta's throughput: 80 messages/s per number by
 * default). Sends overlap (a Graph API call takes far longer than 1/80 s); only their starts are paced.
 */
export function createPacer(perSecond: number, now: () => number, sleep: (ms: number) => Promise<void>) {
  const gapMs = 1000 / perSecond
  let next = 0
  return async function nextSlot(): Promise<void> {
    const at = Math.max(now(), next)
    next = at + gapMs
    const wait = at - now()
    if (wait > 0) await sleep(wait)
  }
}
