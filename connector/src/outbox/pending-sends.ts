/**
 * In-flight sends, per chat. whatsapp-web.js emits `message_create` for the connector's own
 * sends, possibly before `sendMessage` resolves and so before `mark_sent` recorded the id.
 * Ingest waits for `settled()` before storing a `fromMe` message: by then the id is recorded
 * (or buffered ahead of it) and ingest_message answers `duplicate` instead of a phone takeover.
 * `settled()` waits for every chat, not just the event's: the event may name the chat by its
 * `@lid` while we sent to `@c.us` (see docs/decisions/011-own-sends-vs-phone-messages.md).
 */
export class PendingSends {
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>()

  async track<T>(chatId: string, send: () => Promise<T>): Promise<T> {
    const run = send()
    const set = this.inFlight.get(chatId) ?? new Set()
    set.add(run)
    this.inFlight.set(chatId, set)
    try {
      return await run
    } finally {
      set.delete(run)
      if (set.size === 0) this.inFlight.delete(chatId)
    }
  }

  get size(): number {
    let n = 0
    for (const set of this.inFlight.values()) n += set.size
    return n
  }

  isSending(chatId: string): boolean {
    return this.inFlight.has(chatId)
  }

  /** Resolves once every send in flight now has finished (successfully or not). */
  async settled(): Promise<void> {
    const all = [...this.inFlight.values()].flatMap((set) => [...set])
    await Promise.allSettled(all)
  }
}
