/**
 * @module
 * The chat as Chat Completions messages. `system` rather than `developer`: OpenAI maps one to the
 * other, and OpenAI-compatible servers mostly know only `system`.
 */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import type { AiContext, ContextMessage } from './types.ts'

const LANGUAGE = { es: 'Spanish', en: 'English' } as const

export function systemText(context: AiContext): string {
  const lines = [
    context.tenant.systemPrompt.trim() || `You are the sales assistant of ${context.tenant.name}.`,
    '',
    `Reply in ${LANGUAGE[context.tenant.language]} unless the customer writes in another language; then use theirs.`,
    'This is WhatsApp: short messages, plain text, no markdown tables.',
    'Never invent products, prices, stock or order details: use the tools. If you cannot help, call handoff_to_human.',
    '',
    'Store facts:',
    ...context.storeFacts.map((f) => `- ${f}`),
  ]
  if (context.customer.name) lines.push(`- Customer name: ${context.customer.name}`)
  return lines.join('\n')
}

function turn(message: ContextMessage): ChatCompletionMessageParam {
  if (message.author === 'customer') return { role: 'user', content: message.body }
  // Agents and the owner's phone speak for the business too; say so, so the model keeps their promises.
  const who = message.author === 'ai' ? '' : `[${message.author === 'system' ? 'automatic' : 'human agent'}] `
  return { role: 'assistant', content: `${who}${message.body}` }
}

export function buildPrompt(context: AiContext): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: systemText(context) },
    ...context.messages.filter((m) => m.body).map(turn),
  ]
}
