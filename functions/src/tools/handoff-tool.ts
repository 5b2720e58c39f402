/**
 * @module
 * handoff_to_human: the model's way to apply handoff rule 5 ("a tool says so").
 */
import { z } from 'zod'
import type { Tool } from './types.ts'

const args = z.object({ reason: z.string().trim().min(1).max(300) })

export const handoffTool: Tool = {
  name: 'handoff_to_human',
  description:
    'Transfer the chat to a human agent. Use it when the customer asks for a person, is upset, or needs ' +
    'something you cannot do with your tools (refunds, complaints, special requests).',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'Short reason for the agent, in English' } },
    required: ['reason'],
    additionalProperties: false,
  },
  async run(input) {
    const parsed = args.safeParse(input)
    const reason = parsed.success ? parsed.data.reason : 'model requested a human'
    return { result: { ok: true }, handoff: { reason: `tool: ${reason}` } }
  },
}
