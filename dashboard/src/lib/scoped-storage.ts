type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/**
 * localStorage seen through a per-agent key prefix. Drafts and queued replies belong to the agent
 * who typed them: on a shared computer, the next agent to sign in must neither see nor send them.
 */
export function scopedStorage(storage: KeyValue | undefined, scope: string): KeyValue | undefined {
  if (!storage) return undefined
  const prefix = `${scope}:`
  return {
    getItem: (key) => storage.getItem(prefix + key),
    setItem: (key, value) => storage.setItem(prefix + key, value),
    removeItem: (key) => storage.removeItem(prefix + key),
  }
}
