/**
 * @module
 * Node-side test support: an ExecutionContext whose `waitUntil` work the tests can await (the
 * app is served with @relevo/testing/serve).
 */
import type { ExecutionContext } from 'hono'

export interface TrackedContext {
  ctx: ExecutionContext
  /** Resolves when all `waitUntil` work (including work added meanwhile) has settled. */
  idle(): Promise<void>
}

export function trackedContext(): TrackedContext {
  const pending = new Set<Promise<unknown>>()
  const ctx = {
    waitUntil(promise: Promise<unknown>) {
      pending.add(promise)
      void promise.finally(() => pending.delete(promise)).catch(() => {})
    },
    passThroughOnException() {},
    props: {},
  } as unknown as ExecutionContext
  return {
    ctx,
    async idle() {
      while (pending.size) await Promise.allSettled([...pending])
    },
  }
}
