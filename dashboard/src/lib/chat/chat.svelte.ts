import { type DeskApi, PAGE_SIZE } from '../desk-api.ts'
import type { AiRun, Message } from '../types.ts'
import { mergeMessages } from './merge-messages.ts'

/** One open conversation thread: the newest page, older pages on demand, live rows from the feed. */
export class ChatStore {
  messages = $state<Message[]>([])
  /** AI runs by the reply they produced, to show "what the AI did" under each AI message. */
  runs = $state<Record<string, AiRun>>({})
  loading = $state(true)
  loadingOlder = $state(false)
  hasOlder = $state(true)

  constructor(
    private readonly api: Pick<DeskApi, 'messages' | 'aiRuns'>,
    readonly conversationId: string,
  ) {}

  async load(): Promise<void> {
    const [page, runs] = await Promise.all([
      this.api.messages(this.conversationId),
      this.api.aiRuns(this.conversationId),
    ])
    this.messages = mergeMessages(this.messages, page)
    this.hasOlder = page.length === PAGE_SIZE
    for (const run of runs) this.applyRun(run)
    this.loading = false
  }

  async loadOlder(): Promise<void> {
    const oldest = this.messages[0]
    if (!this.hasOlder || this.loadingOlder || !oldest) return
    this.loadingOlder = true
    try {
      const page = await this.api.messages(this.conversationId, oldest.created_at)
      this.messages = mergeMessages(this.messages, page)
      this.hasOlder = page.length === PAGE_SIZE
    } finally {
      this.loadingOlder = false
    }
  }

  applyMessage(row: Message): void {
    if (row.conversation_id !== this.conversationId) return
    this.messages = mergeMessages(this.messages, [row])
  }

  applyRun(run: AiRun): void {
    if (run.conversation_id !== this.conversationId || !run.reply_message_id) return
    this.runs = { ...this.runs, [run.reply_message_id]: run }
  }
}
