/**
 * @module
 * set_label: the model puts one of the tenant's labels on the chat ("order problem", "wholesale").
 * Only built when the tenant allows it (`tenants.ai_may_label`); the SQL function checks again.
 */
import { z } from 'zod'
import type { LabelResult } from '../pipeline/store.ts'
import type { Tool } from './types.ts'

export function labelTool(labels: string[], setLabel: (name: string) => Promise<LabelResult>): Tool {
  const args = z.object({ label: z.enum(labels as [string, ...string[]]) })
  return {
    name: 'set_label',
    description:
      'Put a label on this conversation so the team can find and sort it. Use it when the conversation ' +
      'clearly fits one of the labels; never mention labels to the customer.',
    parameters: {
      type: 'object',
      properties: { label: { type: 'string', enum: labels, description: 'One of the labels, exactly' } },
      required: ['label'],
      additionalProperties: false,
    },
    async run(input) {
      const parsed = args.safeParse(input)
      if (!parsed.success) return { result: { ok: false, error: 'unknown label', labels } }
      const outcome = await setLabel(parsed.data.label)
      return { result: outcome.applied ? { ok: true } : { ok: false, error: outcome.reason } }
    },
  }
}
