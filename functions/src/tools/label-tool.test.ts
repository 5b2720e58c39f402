import { describe, expect, it } from 'vitest'
import type { LabelResult } from '../pipeline/store.ts'
import { harness } from '../testing/harness.ts'
import { labelTool } from './label-tool.ts'

describe('set_label tool', () => {
  it('offers the tenant labels as an enum and sets the chosen one', async () => {
    const set: string[] = []
    const tool = labelTool(['Order problem', 'Wholesale'], async (name): Promise<LabelResult> => {
      set.push(name)
      return { applied: true }
    })
    expect(tool.parameters).toMatchObject({ properties: { label: { enum: ['Order problem', 'Wholesale'] } } })
    await expect(tool.run({ label: 'Wholesale' })).resolves.toEqual({ result: { ok: true } })
    expect(set).toEqual(['Wholesale'])
  })

  it('refuses a label the tenant does not have without calling the database, and reports a refusal', async () => {
    let calls = 0
    const tool = labelTool(['Wholesale'], async (): Promise<LabelResult> => {
      calls += 1
      return { applied: false, reason: 'labels_disabled' }
    })
    await expect(tool.run({ label: 'VIP' })).resolves.toMatchObject({ result: { ok: false } })
    expect(calls).toBe(0)
    await expect(tool.run({ label: 'Wholesale' })).resolves.toEqual({
      result: { ok: false, error: 'labels_disabled' },
    })
  })
})

describe('set_label in the AI pipeline', () => {
  it('is offered when the tenant allows labels, and the model puts one on the chat', async () => {
    const h = harness({
      tenant: { aiLabels: ['Order problem', 'Wholesale'] },
      script: [
        { toolCalls: [{ name: 'set_label', arguments: { label: 'Wholesale' } }] },
        { content: 'Claro' },
      ],
    })
    const conv = h.store.addConversation()
    h.store.labels.set(conv.tenantId, ['Order problem', 'Wholesale'])
    const msg = h.store.receive(conv.id, 'Quiero 200 piezas para mi tienda')
    await expect(h.run(msg.id)).resolves.toMatchObject({ outcome: 'replied' })
    expect(h.openai.requests[0]?.tools?.map((t) => t.function.name)).toEqual([
      'set_label',
      'handoff_to_human',
    ])
    expect(h.store.chatLabels.get(conv.id)).toEqual(['Wholesale'])
  })

  it('is not offered when the tenant has not allowed labels', async () => {
    const h = harness({})
    const conv = h.store.addConversation()
    await h.run(h.store.receive(conv.id, 'Hola').id)
    expect(h.openai.requests[0]?.tools?.map((t) => t.function.name)).toEqual(['handoff_to_human'])
  })
})
