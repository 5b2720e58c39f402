import { type DeskApi, INBOX_PAGE } from '../desk-api.ts'
import { LiveRows } from '../realtime/live-rows.ts'
import type { Conversation, SearchHit } from '../types.ts'
import { countUnread, countWaiting, type InboxFilter, matchesFilter, matchesSearch } from './filters.ts'
import { mergeConversations, upsertConversation } from './upsert.ts'

/** The live conversation list: loaded once, then kept current by the tenant feed. */
export class InboxStore {
  /**
   * Raw state: rows are replaced, never mutated, so the list needs no deep proxy (proxying every
   * field of 500 rows cost the inbox's first render tens of milliseconds).
   */
  conversations = $state.raw<Conversation[]>([])
  filter = $state<InboxFilter>('all')
  query = $state('')
  /** Only the chats assigned to this agent (from the Agents page), or everyone's. */
  assignee = $state<string | null>(null)
  /** Only the chats carrying this label, or all. */
  label = $state<string | null>(null)
  /** Only the chats of this number (channel id), or all. */
  channel = $state<string | null>(null)
  loading = $state(true)
  /** Messages of the whole history that match the query (server full-text search), best first. */
  hits = $state<SearchHit[]>([])
  /** Conversations with a hit are listed too, beyond what name, phone and preview match. */
  textMatches = $derived(new Set(this.hits.map((h) => h.conversation_id)))

  visible = $derived(
    this.conversations.filter(
      (c) =>
        matchesFilter(c, this.filter, this.myId()) &&
        (this.assignee === null || c.assigned_agent_id === this.assignee) &&
        (this.label === null || this.hasLabel(c.id, this.label)) &&
        (this.channel === null || c.channel_id === this.channel) &&
        (matchesSearch(c, this.query) || this.textMatches.has(c.id)),
    ),
  )

  constructor(
    private readonly api: Pick<DeskApi, 'conversations' | 'searchMessages'>,
    private readonly myId: () => string | null,
    private readonly hasLabel: (conversationId: string, labelId: string) => boolean = () => false,
  ) {}

  /** More conversations exist on the server than the pages loaded so far. */
  hasMore = $state(false)
  private loadingMore = false
  private readonly live = new LiveRows<Conversation>()

  /** `prefetched` is a first page already on its way (app start); without it, or if it failed, query now. */
  async load(prefetched?: Promise<Conversation[] | undefined>): Promise<void> {
    const page = await this.live.page(async () => (await prefetched) ?? (await this.api.conversations()))
    this.conversations = mergeConversations([], page.rows)
    this.hasMore = page.queried === INBOX_PAGE
    this.loading = false
  }

  /** The next page of older conversations (the list asks when the agent scrolls past what it has). */
  async loadMore(): Promise<void> {
    const oldest = this.conversations.findLast((c) => c.last_message_at !== null)?.last_message_at
    if (!this.hasMore || this.loadingMore || !oldest) return
    this.loadingMore = true
    try {
      const page = await this.live.page(() => this.api.conversations(oldest))
      this.conversations = mergeConversations(this.conversations, page.rows)
      this.hasMore = page.queried === INBOX_PAGE
    } finally {
      this.loadingMore = false
    }
  }

  apply(row: Conversation): void {
    this.live.note(row.id, row)
    this.conversations = upsertConversation(this.conversations, row)
  }

  remove(id: string): void {
    this.live.note(id, null)
    this.conversations = this.conversations.filter((c) => c.id !== id)
  }

  get(id: string): Conversation | undefined {
    return this.conversations.find((c) => c.id === id)
  }

  unread(filter: InboxFilter): number {
    return countUnread(this.conversations, filter, this.myId())
  }

  waiting(): number {
    return countWaiting(this.conversations)
  }

  private searchSeq = 0

  async search(query: string): Promise<void> {
    this.query = query
    const seq = ++this.searchSeq
    const text = query.trim()
    if (text.length < 3) {
      this.hits = []
      return
    }
    const hits = await this.api.searchMessages(text)
    // A slower earlier search must not replace the result of the latest one.
    if (seq === this.searchSeq) this.hits = hits
  }
}
