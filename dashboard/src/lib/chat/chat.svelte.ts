import { type DeskApi, PAGE_SIZE } from '../desk-api.ts'
import { LiveRows } from '../realtime/live-rows.ts'
import type { AiRun, Message } from '../types.ts'
import { mergeMessages } from './merge-messages.ts'

/**
 * One open conversation thread: the newest page, older pages on demand, live rows from the feed.
 * Opened at a message (a search hit), it holds the window around that message instead, until the
 * agent jumps to the latest.
 */
export class ChatStore {
  /**
   * Raw state, as the inbox's list: rows are replaced, never mutated, so no deep proxy is built
   * over a thread that grows to thousands of rows as the agent scrolls back.
   */
  messages = $state.raw<Message[]>([])
  /** AI runs by the reply they produced, to show "what the AI did" under each AI message. */
  runs = $state.raw<Record<string, AiRun>>({})
  loading = $state(true)
  loadingOlder = $state(false)
  hasOlder = $state(true)
  /** The thread shown stops before the present (opened at an old message); live rows wait. */
  hasNewer = $state(false)
  /** The message the chat was opened at, shown highlighted and scrolled into view. */
  focusId = $state<string | null>(null)
  private readonly live = new LiveRows<Message>()

  constructor(
    private readonly api: Pick<DeskApi, 'messages' | 'messagesAround' | 'messageTime' | 'aiRuns'>,
    readonly conversationId: string,
    focusId: string | null = null,
  ) {
    this.focusId = focusId
  }

  /** The first load opens at the focused message; reloads (after a rejoin) keep the window shown. */
  async load(): Promise<void> {
    const at =
      this.focusId && this.loading ? await this.api.messageTime(this.conversationId, this.focusId) : null
    // The page is asked for before the runs: what the agent waits for goes first.
    const page = at ? this.loadAround(at) : this.hasNewer ? undefined : this.loadLatestPage()
    const runs = this.api.aiRuns(this.conversationId)
    await page
    for (const run of await runs) this.applyRun(run)
    this.loading = false
  }

  /** Leaves the window around a hit for the newest page (the "jump to latest" button). */
  async loadLatest(): Promise<void> {
    this.focusId = null
    this.messages = []
    await this.loadLatestPage()
  }

  private async loadLatestPage(): Promise<void> {
    const page = await this.live.page(() => this.api.messages(this.conversationId))
    this.messages = mergeMessages(this.messages, page.rows)
    this.hasOlder = page.queried === PAGE_SIZE
    this.hasNewer = false
  }

  private async loadAround(at: string): Promise<void> {
    const { older, newer } = await this.api.messagesAround(this.conversationId, at)
    this.messages = mergeMessages([], [...older, ...newer])
    this.hasOlder = older.length === PAGE_SIZE
    this.hasNewer = newer.length === PAGE_SIZE
  }

  async loadOlder(): Promise<void> {
    const oldest = this.messages[0]
    if (!this.hasOlder || this.loadingOlder || !oldest) return
    this.loadingOlder = true
    try {
      const page = await this.live.page(() => this.api.messages(this.conversationId, oldest.created_at))
      this.messages = mergeMessages(this.messages, page.rows)
      this.hasOlder = page.queried === PAGE_SIZE
    } finally {
      this.loadingOlder = false
    }
  }

  applyMessage(row: Message): void {
    if (row.conversation_id !== this.conversationId) return
    // A new row would sit after a gap; an update of a row shown still applies.
    if (this.hasNewer && !this.messages.some((m) => m.id === row.id)) return
    this.live.note(row.id, row)
    this.messages = mergeMessages(this.messages, [row])
  }

  applyRun(run: AiRun): void {
    if (run.conversation_id !== this.conversationId || !run.reply_message_id) return
    this.runs = { ...this.runs, [run.reply_message_id]: run }
  }
}
