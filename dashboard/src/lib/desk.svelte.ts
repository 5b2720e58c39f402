import { getContext, setContext } from 'svelte'
import { takeFirstInboxPage } from './app-state.svelte.ts'
import type { AuthStore } from './auth/auth.svelte.ts'
import { ChatStore } from './chat/chat.svelte.ts'
import { createDrafts, type Drafts } from './chat/drafts.ts'
import { SendQueue } from './chat/send-queue.svelte.ts'
import { upsertChannel } from './connection/channel-health.ts'
import { type CustomerApi, createCustomerApi } from './customer/customer-api.ts'
import { createDeskApi, type DeskApi } from './desk-api.ts'
import { DeskError } from './desk-error.ts'
import { InboxStore } from './inbox/inbox.svelte.ts'
import { LabelStore } from './labels/labels.svelte.ts'
import { MediaService } from './media/media-service.ts'
import { watchAdminFeed } from './realtime/admin-feed.ts'
import { summarizePresence } from './realtime/presence.ts'
import { PresenceHeartbeat } from './realtime/presence-heartbeat.ts'
import { TenantFeed } from './realtime/tenant-feed.svelte.ts'
import { scopedStorage } from './scoped-storage.ts'
import { getSupabaseConfig } from './supabase.ts'
import type { Agent, CannedReply, Change, Conversation, Db, InboxChannel, Message } from './types.ts'

/** Everything a signed-in agent's desk holds, wired to the tenant feed. One per session. */
export class Desk {
  readonly api: DeskApi
  readonly inbox: InboxStore
  readonly labels: LabelStore
  readonly feed: TenantFeed
  readonly queue: SendQueue
  readonly drafts: Drafts
  /** Signed URLs for the thread's files, upload rules and uploads (the private bucket `media`). */
  readonly media: MediaService
  /** The customer panel's reads: the desk's facts and the store's (through the functions). */
  readonly customers: CustomerApi
  private readonly heartbeat: PresenceHeartbeat
  agents = $state<Agent[]>([])
  canned = $state<CannedReply[]>([])
  /** The store's numbers, removed ones too: the inbox names each chat's number and filters by it. */
  channels = $state<InboxChannel[]>([])
  activeChat = $state<ChatStore | null>(null)
  /** The customer panel beside the chat: open on wide screens until the agent hides it. */
  panelOpen = $state(typeof window !== 'undefined' && window.matchMedia('(min-width: 1200px)').matches)
  /** The last failed action, as an error code the UI translates. */
  errorCode = $state<string | null>(null)
  readonly me: Agent
  /** Other screens (metrics, connection, alerts) follow the same feed instead of opening a second channel. */
  private readonly listeners = new Set<DeskListener>()
  /** The same for the admins' topic (admins only): one channel, whichever screens follow it. */
  private readonly adminListeners = new Set<DeskListener>()
  private unwatchAdmin: (() => void) | null = null

  presenceSummary = $derived.by(() =>
    summarizePresence(this.feed.presence, this.me.user_id, this.activeChat?.conversationId ?? null),
  )

  constructor(
    private readonly db: Db,
    private readonly auth: AuthStore,
  ) {
    if (!auth.agent)
      throw new DeskError('not_an_agent', 'The desk needs a signed-in agent', { authExpired: true })
    this.me = auth.agent
    this.api = createDeskApi(db)
    this.media = new MediaService(db, getSupabaseConfig(), this.me.tenant_id)
    this.customers = createCustomerApi(db)
    this.labels = new LabelStore(this.api)
    this.inbox = new InboxStore(
      this.api,
      () => this.me.user_id,
      (conversationId, labelId) => this.labels.has(conversationId, labelId),
    )
    this.heartbeat = new PresenceHeartbeat(() => this.api.touchPresence())
    const storage = scopedStorage(globalThis.localStorage, `relevo.agent.${this.me.user_id}`)
    this.drafts = createDrafts(storage)
    this.queue = new SendQueue({
      api: this.api,
      storage,
      onSent: (m) => this.activeChat?.applyMessage(m),
      onAuthExpired: () => void this.auth.sessionExpired(),
    })
    this.feed = new TenantFeed({
      db,
      tenantId: this.me.tenant_id,
      me: { user_id: this.me.user_id, name: this.me.display_name },
      handlers: {
        onChange: (change) => this.onChange(change),
        onJoined: () => {
          void this.refresh()
          for (const l of this.listeners) l.onJoined?.()
        },
      },
    })
  }

  async start(): Promise<void> {
    addEventListener('online', this.onOnline)
    addEventListener('offline', this.onOffline)
    this.heartbeat.start()
    // Admins follow their private topic for the whole session: the header's alerts (a paused
    // webhook endpoint) and the admin screens read it. supabase-js keeps one channel per topic, so
    // screens must not open their own.
    if (this.me.role === 'admin')
      this.unwatchAdmin = watchAdminFeed(this.db, this.me.tenant_id, {
        onChange: (change) => {
          for (const l of this.adminListeners) l.onChange?.(change)
        },
        onJoined: () => {
          for (const l of this.adminListeners) l.onJoined?.()
        },
      })
    await Promise.all([this.refresh(), this.feed.start()])
  }

  async stop(): Promise<void> {
    removeEventListener('online', this.onOnline)
    removeEventListener('offline', this.onOffline)
    this.heartbeat.stop()
    this.unwatchAdmin?.()
    this.unwatchAdmin = null
    await this.feed.stop()
  }

  /** Follows every feed change and rejoin; returns the unsubscribe. */
  listen(listener: DeskListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Follows the admins' topic (nothing arrives for agents); returns the unsubscribe. A screen
   * opened after the join gets no onJoined: it loads once itself.
   */
  listenAdmin(listener: DeskListener): () => void {
    this.adminListeners.add(listener)
    return () => this.adminListeners.delete(listener)
  }

  nameOf = (agentId: string | null): string | undefined =>
    this.agents.find((a) => a.user_id === agentId)?.display_name

  /** `focusMessageId`: open at that message (a search hit) instead of the newest page. */
  openChat(conversationId: string, focusMessageId: string | null = null): ChatStore {
    const chat = new ChatStore(this.api, conversationId, focusMessageId)
    this.activeChat = chat
    this.feed.track({ viewing_conversation_id: conversationId, typing: false })
    void this.guard(() => chat.load())
    void this.markRead(conversationId)
    return chat
  }

  closeChat(chat: ChatStore): void {
    if (this.activeChat !== chat) return
    this.activeChat = null
    this.feed.track({ viewing_conversation_id: null, typing: false })
  }

  /** Runs an action and shows its result at once, without waiting for the feed's echo. */
  async act(action: () => Promise<Conversation | Message | null>): Promise<boolean> {
    const result = await this.guard(action)
    if (result && 'mode' in result) this.inbox.apply(result)
    else if (result && 'conversation_id' in result) this.activeChat?.applyMessage(result)
    return result !== undefined
  }

  /** Runs a call; failures become errorCode, and an expired session goes back to sign-in. */
  async guard<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      this.errorCode = null
      return await call()
    } catch (error) {
      if (error instanceof DeskError && error.authExpired) await this.auth.sessionExpired()
      this.errorCode = error instanceof DeskError ? error.code : 'generic'
      return undefined
    }
  }

  private async markRead(conversationId: string): Promise<void> {
    const conv = this.inbox.get(conversationId)
    if (conv && conv.unread_count === 0) return
    await this.guard(() => this.api.markRead(conversationId))
  }

  private async refresh(): Promise<void> {
    await this.guard(async () => {
      const [agents, canned, channels] = await Promise.all([
        this.api.agents(),
        this.api.cannedReplies(),
        this.api.channels(),
        this.inbox.load(takeFirstInboxPage(this.me.user_id)),
        this.labels.load(),
      ])
      this.agents = agents
      this.canned = canned
      this.channels = channels
      await this.activeChat?.load()
    })
    await this.queue.flush()
  }

  private onChange(change: Change): void {
    for (const l of this.listeners) l.onChange?.(change)
    // Labels come and go (DELETE carries only old_record); every other table is applied by its new row.
    if (change.table === 'labels' || change.table === 'conversation_labels') {
      this.labels.apply(change)
      return
    }
    // An erased customer (erase_customer): the chat leaves every open inbox at once.
    if (change.table === 'conversations' && change.operation === 'DELETE' && change.old_record) {
      this.inbox.remove(change.old_record.id)
      return
    }
    if (!change.record) return
    if (change.table === 'conversations') {
      const conv = change.record
      this.inbox.apply(conv)
      if (conv.id === this.activeChat?.conversationId && conv.unread_count > 0) void this.markRead(conv.id)
    } else if (change.table === 'messages') this.activeChat?.applyMessage(change.record)
    else if (change.table === 'ai_runs') this.activeChat?.applyRun(change.record)
    else if (change.table === 'channels') {
      const { id, name, phone, archived_at } = change.record
      this.channels = upsertChannel(this.channels, { id, name, phone, archived_at })
    } else if (change.table === 'agents') {
      const agent = change.record
      this.agents = [...this.agents.filter((a) => a.user_id !== agent.user_id), agent]
      // An admin deactivated this agent: RLS already hides everything; leave the desk at once.
      if (agent.user_id === this.me.user_id && !agent.active) {
        this.auth.error = 'auth.deactivated'
        void this.auth.signOut()
      }
    }
  }

  private onOnline = () => {
    this.feed.markOnline()
    void this.queue.flush()
  }

  private onOffline = () => this.feed.markOffline()
}

export interface DeskListener {
  onChange?: (change: Change) => void
  onJoined?: () => void
}

const KEY = Symbol('desk')
export const setDesk = (desk: Desk): Desk => setContext(KEY, desk)
export const getDesk = (): Desk => getContext<Desk>(KEY)
