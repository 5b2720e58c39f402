/**
 * @module
 * The provider-neutral context of one decision: who the tenant is, who the customer is, what was
 * said (with authors; never what a sender deleted for everyone) and a few store facts.
 */
import type { AiContext } from './provider.ts'
import type { ChatMessage, Conversation, TenantSettings } from './types.ts'

export interface ContextInput {
  tenant: TenantSettings
  conversation: Conversation
  messages: ChatMessage[]
  trigger: ChatMessage
  now: Date
}

export function buildContext({ tenant, conversation, messages, trigger, now }: ContextInput): AiContext {
  const facts = [`Store: ${tenant.name}`, `Today: ${now.toISOString().slice(0, 10)}`]
  if (tenant.shopifyShopDomain) facts.push(`Online store: https://${tenant.shopifyShopDomain}`)
  // The trigger is always in the context even when the window of N messages would cut it. The
  // rows just loaded win over the trigger read before the debounce: if the customer deleted it
  // since, it stays out with the rest of what they retracted.
  const withTrigger = messages.some((m) => m.id === trigger.id) ? messages : [...messages, trigger]
  const visible = withTrigger.filter((m) => !m.deletedAt)
  return {
    tenant: {
      id: tenant.id,
      name: tenant.name,
      language: tenant.language,
      systemPrompt: tenant.systemPrompt,
    },
    conversation: { id: conversation.id, channelId: conversation.channelId },
    customer: { name: conversation.customerName, phone: conversation.customerPhone },
    messages: visible.map((m) => ({ id: m.id, author: m.author, body: m.body, createdAt: m.createdAt })),
    triggerMessageId: trigger.id,
    storeFacts: facts,
  }
}

/**
 * The customer's messages since the business last spoke: the burst this run answers. A deleted one
 * is left out but does not end the burst (the business still has not spoken).
 */
export function pendingCustomerTexts(messages: ChatMessage[]): string[] {
  const texts: string[] = []
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m?.direction !== 'in') break
    if (!m.deletedAt) texts.unshift(m.body)
  }
  return texts
}
