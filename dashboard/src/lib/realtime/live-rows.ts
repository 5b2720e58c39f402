/**
 * The rows the feed delivered while a page query was in flight. The feed is joined before any page
 * is queried, and it delivers changes in commit order, so a row it delivered during the query is at
 * least as new as the page's copy: it wins over the page. Without this, a page read just before an
 * edit lands after the edit's event and puts the old text back (a stale prefetched inbox page did
 * the same to a chat that had just started needing a person).
 */
/** `queried`: how many rows the query itself returned (a full page means more may exist). */
export type Page<T> = { rows: T[]; queried: number }

export class LiveRows<T extends { id: string }> {
  private inFlight = 0
  private readonly rows = new Map<string, T | null>()

  /** A row the feed applied; `null` when it was removed. Kept only while a page is on its way. */
  note(id: string, row: T | null): void {
    if (this.inFlight > 0) this.rows.set(id, row)
  }

  /**
   * Runs a page query, then lays what the feed delivered meanwhile over its rows: a live row replaces
   * the page's copy or joins the page (a chat created during the query), a removed one leaves it.
   */
  async page(query: () => Promise<readonly T[]>): Promise<Page<T>> {
    this.inFlight++
    try {
      const rows = await query()
      const byId = new Map(rows.map((row) => [row.id, row] as const))
      for (const [id, live] of this.rows) {
        if (live) byId.set(id, live)
        else byId.delete(id)
      }
      return { rows: [...byId.values()], queried: rows.length }
    } finally {
      if (--this.inFlight === 0) this.rows.clear()
    }
  }
}
