import { PRESENCE_TOUCH_SECONDS } from '@relevo/contracts/limits'

/**
 * Keeps agents.last_seen_at fresh while the desk is open: one touch at start, then every
 * PRESENCE_TOUCH_SECONDS. Realtime presence tells the other desks; this row tells servers that
 * hold no websocket (the monitoring API). A failed touch is only a missed beat.
 */
export class PresenceHeartbeat {
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly touch: () => Promise<unknown>,
    private readonly everyMs = PRESENCE_TOUCH_SECONDS * 1000,
  ) {}

  start(): void {
    if (this.timer) return
    this.beat()
    this.timer = setInterval(() => this.beat(), this.everyMs)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private beat(): void {
    this.touch().catch(() => undefined)
  }
}
