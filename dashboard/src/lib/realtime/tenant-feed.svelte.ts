import type { RealtimeChannel } from '@supabase/supabase-js'
import type { Change, Db } from '../types.ts'
import { databaseChange } from './database-change.ts'
import type { PresenceMeta } from './presence.ts'

export type FeedStatus = 'connecting' | 'live' | 'offline'

export interface FeedHandlers {
  onChange: (change: Change) => void
  /**
   * Called after every join, the first included: broadcast has no replay, so anything that changed
   * between the initial load (or the outage) and the join would otherwise be missing. Reload what is shown.
   */
  onJoined: () => void
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000]

/**
 * The tenant's live feed: the private broadcast topic `tenant:<id>` (INSERT/UPDATE/DELETE of
 * conversations, messages, agents, ai_runs, labels from realtime.broadcast_changes) plus presence on
 * the same channel, which is display-only: it never changes a row or a state. When the channel
 * errors or closes, it is rebuilt with backoff.
 */
export interface TenantFeedOptions {
  db: Db
  tenantId: string
  /** Who this desk is, as presence shows it. */
  me: Omit<PresenceMeta, 'viewing_conversation_id' | 'typing'>
  handlers: FeedHandlers
}

export class TenantFeed {
  status = $state<FeedStatus>('connecting')
  presence = $state<Record<string, unknown[]>>({})
  private channel: RealtimeChannel | undefined
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  private me: PresenceMeta

  private readonly db: Db
  private readonly tenantId: string
  private readonly handlers: FeedHandlers

  constructor(options: TenantFeedOptions) {
    this.db = options.db
    this.tenantId = options.tenantId
    this.handlers = options.handlers
    this.me = { ...options.me, viewing_conversation_id: null, typing: false }
  }

  async start(): Promise<void> {
    this.stopped = false
    // Private channels authorize with the user's JWT (RLS on realtime.messages).
    await this.db.realtime.setAuth()
    if (this.stopped) return
    const channel = this.db.channel(`tenant:${this.tenantId}`, {
      config: { private: true, presence: { key: this.me.user_id } },
    })
    this.channel = channel
    channel
      .on('broadcast', { event: 'INSERT' }, (msg) => this.apply(msg))
      .on('broadcast', { event: 'UPDATE' }, (msg) => this.apply(msg))
      // Only labels and conversation_labels broadcast deletes (a label taken off a chat).
      .on('broadcast', { event: 'DELETE' }, (msg) => this.apply(msg))
      .on('presence', { event: 'sync' }, () => {
        this.presence = channel.presenceState() as Record<string, unknown[]>
      })
      .subscribe((state) => {
        if (channel !== this.channel) return
        if (state === 'SUBSCRIBED') {
          this.status = 'live'
          this.attempt = 0
          void channel.track({ ...this.me })
          this.handlers.onJoined()
        } else if (state === 'CHANNEL_ERROR' || state === 'TIMED_OUT' || state === 'CLOSED') {
          this.status = 'offline'
          this.scheduleRetry()
        }
      })
  }

  /** Applies only what the database sent; anything else on the topic is ignored (ADR 070). */
  private apply(message: Parameters<typeof databaseChange>[0]): void {
    const change = databaseChange(message)
    if (change) this.handlers.onChange(change)
  }

  /** Updates what this tab tells the others (which chat it looks at, whether it types). */
  track(patch: Partial<Pick<PresenceMeta, 'viewing_conversation_id' | 'typing'>>): void {
    const next = { ...this.me, ...patch }
    if (next.viewing_conversation_id === this.me.viewing_conversation_id && next.typing === this.me.typing)
      return
    this.me = next
    if (this.status === 'live') void this.channel?.track({ ...this.me })
  }

  /** The browser says it lost the network: show it now rather than after the socket times out. */
  markOffline(): void {
    this.status = 'offline'
  }

  /** The browser is back online: if the socket survived, the feed is live again (and reloads what it may have missed). */
  markOnline(): void {
    if (this.status === 'offline' && this.channel?.state === 'joined') {
      this.status = 'live'
      this.handlers.onJoined()
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    const channel = this.channel
    this.channel = undefined
    if (channel) await this.db.removeChannel(channel)
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return
    const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)] ?? 10_000
    this.attempt++
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = undefined
      const old = this.channel
      this.channel = undefined
      if (old) await this.db.removeChannel(old)
      if (!this.stopped) await this.start().catch(() => this.scheduleRetry())
    }, delay)
  }
}
