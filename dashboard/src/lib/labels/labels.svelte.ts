import type { DeskApi } from '../desk-api.ts'
import type { Change, ConversationLabel, Label } from '../types.ts'

const NONE: readonly string[] = []

/** The tenant's labels and which chats carry them: loaded with the desk, kept current by the feed. */
export class LabelStore {
  labels = $state.raw<Label[]>([])
  /**
   * Label ids by conversation id; replaced, never mutated, so the inbox's derived list follows
   * (raw: a deep proxy over ten thousand chats' entries is pure cost).
   */
  byConversation = $state.raw<Record<string, readonly string[]>>({})

  /**
   * The feed's changes that arrived while a load was reading, one list per load in flight. They are
   * replayed, in order, over the load's snapshot: a snapshot read before a change can land after the
   * change's event (ADR 125), and every change applies idempotently.
   */
  private readonly duringLoads = new Set<Change[]>()

  constructor(private readonly api: Pick<DeskApi, 'labels' | 'conversationLabels'>) {}

  async load(): Promise<void> {
    const during: Change[] = []
    this.duringLoads.add(during)
    try {
      const [labels, links] = await Promise.all([this.api.labels(), this.api.conversationLabels()])
      this.labels = labels
      const map: Record<string, string[]> = {}
      for (const link of links) {
        const ids = map[link.conversation_id]
        if (ids) ids.push(link.label_id)
        else map[link.conversation_id] = [link.label_id]
      }
      this.byConversation = map
      for (const change of during) this.applyNow(change)
    } finally {
      this.duringLoads.delete(during)
    }
  }

  of(conversationId: string): Label[] {
    const ids = this.byConversation[conversationId] ?? NONE
    return this.labels.filter((l) => ids.includes(l.id))
  }

  has(conversationId: string, labelId: string): boolean {
    return (this.byConversation[conversationId] ?? NONE).includes(labelId)
  }

  /** The chat's labels as set_conversation_label returned them (shown before the feed's echo). */
  setFor(conversationId: string, links: readonly ConversationLabel[]): void {
    this.byConversation = { ...this.byConversation, [conversationId]: links.map((l) => l.label_id) }
  }

  apply(change: Change): void {
    for (const during of this.duringLoads) during.push(change)
    this.applyNow(change)
  }

  private applyNow(change: Change): void {
    if (change.table === 'labels') {
      const gone = change.operation === 'DELETE' ? change.old_record?.id : undefined
      const row = change.record
      this.labels = [...this.labels.filter((l) => l.id !== (gone ?? row?.id)), ...(row && !gone ? [row] : [])]
        .map(({ id, name, color }) => ({ id, name, color }))
        .sort((a, b) => a.name.localeCompare(b.name))
    } else if (change.table === 'conversation_labels') {
      const link = change.record ?? change.old_record
      if (!link) return
      const current = (this.byConversation[link.conversation_id] ?? NONE).filter((id) => id !== link.label_id)
      const next = change.operation === 'DELETE' ? current : [...current, link.label_id]
      this.byConversation = { ...this.byConversation, [link.conversation_id]: next }
    }
  }
}
