/** What each signed-in dashboard tab tracks on the tenant channel (presence). */
export interface PresenceMeta {
  user_id: string
  name: string
  viewing_conversation_id: string | null
  typing: boolean
}

export interface PresenceSummary {
  /** One entry per agent online (several tabs of one agent count once). */
  online: PresenceMeta[]
  /** Other agents with this conversation open, and those of them typing in it. */
  viewers: PresenceMeta[]
  typers: PresenceMeta[]
}

function isMeta(value: unknown): value is PresenceMeta {
  const v = value as Partial<PresenceMeta> | null
  return typeof v?.user_id === 'string' && typeof v.name === 'string'
}

/**
 * Folds supabase-js `presenceState()` ({key: [meta, …]}) into who is online, who else is looking
 * at a chat and who else is typing in it, so two agents do not answer the same customer.
 */
export function summarizePresence(
  state: Record<string, unknown[]>,
  myId: string,
  conversationId: string | null,
): PresenceSummary {
  const byUser = new Map<string, PresenceMeta>()
  const viewers = new Map<string, PresenceMeta>()
  const typers = new Map<string, PresenceMeta>()
  for (const metas of Object.values(state)) {
    for (const meta of metas) {
      if (!isMeta(meta)) continue
      if (!byUser.has(meta.user_id)) byUser.set(meta.user_id, meta)
      if (meta.user_id === myId || !conversationId || meta.viewing_conversation_id !== conversationId)
        continue
      viewers.set(meta.user_id, meta)
      if (meta.typing) typers.set(meta.user_id, meta)
    }
  }
  const byName = (a: PresenceMeta, b: PresenceMeta) => a.name.localeCompare(b.name)
  return {
    online: [...byUser.values()].sort(byName),
    viewers: [...viewers.values()].sort(byName),
    typers: [...typers.values()].sort(byName),
  }
}
