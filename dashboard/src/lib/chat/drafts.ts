type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

const PREFIX = 'relevo.draft.'

/**
 * Composer drafts per conversation in localStorage, so an expired session, a reload or a
 * switch to another chat never loses what the agent was typing.
 */
export function createDrafts(storage: DraftStorage | undefined) {
  return {
    get: (conversationId: string): string => storage?.getItem(PREFIX + conversationId) ?? '',
    set: (conversationId: string, text: string): void => {
      if (!storage) return
      if (text) storage.setItem(PREFIX + conversationId, text)
      else storage.removeItem(PREFIX + conversationId)
    },
  }
}

export type Drafts = ReturnType<typeof createDrafts>
