import { describe, expect, it } from 'vitest'
import type { Change, ConversationLabel, Label } from '../types.ts'
import { LabelStore } from './labels.svelte.ts'

const wholesale: Label = { id: 'l1', name: 'Wholesale', color: '#2563eb' }
const problem: Label = { id: 'l2', name: 'Order problem', color: '#ef4444' }

function store() {
  return new LabelStore({
    labels: async () => [problem, wholesale],
    conversationLabels: async () => [{ conversation_id: 'c1', label_id: 'l1' }],
  })
}

const change = (c: Partial<Change> & Pick<Change, 'table' | 'operation'>): Change =>
  ({ schema: 'public', record: null, old_record: null, ...c }) as Change

describe('LabelStore', () => {
  it('loads labels and the chats that carry them', async () => {
    const labels = store()
    await labels.load()
    expect(labels.of('c1')).toEqual([wholesale])
    expect(labels.has('c1', 'l1')).toBe(true)
    expect(labels.of('c2')).toEqual([])
  })

  it('replays what the feed delivered while a load was reading over its older snapshot', async () => {
    let answer: (links: ConversationLabel[]) => void = () => {}
    const labels = new LabelStore({
      labels: async () => [problem, wholesale],
      conversationLabels: () => new Promise((resolve) => (answer = resolve)),
    })
    const load = labels.load()
    const link = (conversation_id: string, label_id: string) => ({
      conversation_id,
      label_id,
      tenant_id: 't',
      added_by: null,
      created_at: '',
    })
    labels.apply(change({ table: 'conversation_labels', operation: 'INSERT', record: link('c2', 'l2') }))
    labels.apply(change({ table: 'conversation_labels', operation: 'DELETE', old_record: link('c1', 'l1') }))
    // The snapshot was read before both changes.
    answer([link('c1', 'l1')])
    await load
    expect(labels.of('c2')).toEqual([problem])
    expect(labels.of('c1')).toEqual([])

    // Once loaded, the changes are not replayed over the next load's newer snapshot.
    const again = labels.load()
    answer([link('c1', 'l1')])
    await again
    expect(labels.of('c1')).toEqual([wholesale])
    expect(labels.of('c2')).toEqual([])
  })

  it('follows the feed: a label put on and taken off a chat, renamed and deleted', async () => {
    const labels = store()
    await labels.load()
    const link = { conversation_id: 'c2', label_id: 'l2', tenant_id: 't', added_by: null, created_at: '' }
    labels.apply(change({ table: 'conversation_labels', operation: 'INSERT', record: link }))
    expect(labels.of('c2')).toEqual([problem])
    labels.apply(change({ table: 'conversation_labels', operation: 'DELETE', old_record: link }))
    expect(labels.of('c2')).toEqual([])
    const row = { ...wholesale, name: 'Mayoreo', tenant_id: 't', created_at: '' }
    labels.apply(change({ table: 'labels', operation: 'UPDATE', record: row }))
    expect(labels.labels.map((l) => l.name)).toEqual(['Mayoreo', 'Order problem'])
    labels.apply(change({ table: 'labels', operation: 'DELETE', old_record: row }))
    expect(labels.labels.map((l) => l.name)).toEqual(['Order problem'])
    expect(labels.of('c1')).toEqual([])
  })
})
