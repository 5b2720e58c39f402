import { describe, expect, it } from 'vitest'
import { createDrafts } from './chat/drafts.ts'
import { scopedStorage } from './scoped-storage.ts'

class MemoryStorage {
  data = new Map<string, string>()
  getItem = (k: string) => this.data.get(k) ?? null
  setItem = (k: string, v: string) => void this.data.set(k, v)
  removeItem = (k: string) => void this.data.delete(k)
}

describe('scopedStorage', () => {
  it('keeps one agent’s drafts invisible to another on the same browser', () => {
    const shared = new MemoryStorage()
    const ana = createDrafts(scopedStorage(shared, 'agent-ana'))
    const leo = createDrafts(scopedStorage(shared, 'agent-leo'))
    ana.set('c1', 'borrador de Ana')
    expect(leo.get('c1')).toBe('')
    expect(ana.get('c1')).toBe('borrador de Ana')
    ana.set('c1', '')
    expect(shared.data.size).toBe(0)
  })
})
