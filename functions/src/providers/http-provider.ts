/**
 * @module
 * The `http` provider: the tenant's own "sales coordinator". The chat goes out through the
 * tenant's mapping (ADR 115), or Relevo's v1 contract when it has none (functions/README.md,
 * "HTTP provider contract": `{reply}` or `{handoff: true, reason}` back). coordinator-client.ts
 * makes the call; this module turns the chat into the template's values.
 */
import type { TemplateValues } from '@relevo/supabase/coordinator-mapping'
import type { AiContext, AiProvider, ProviderResult } from '../pipeline/provider.ts'
import { type CoordinatorOptions, createCoordinatorClient } from './coordinator-client.ts'

/** The chat as a template sees it; `message` is what the customer wrote since the last answer. */
export function templateValues(context: AiContext): TemplateValues {
  const lastAnswer = context.messages.findLastIndex((m) => m.author !== 'customer')
  return {
    message: context.messages
      .slice(lastAnswer + 1)
      .map((m) => m.body)
      .join('\n'),
    customer_phone: context.customer.phone,
    customer_name: context.customer.name,
    conversation_id: context.conversation.id,
    channel_id: context.conversation.channelId,
    tenant_id: context.tenant.id,
    tenant_name: context.tenant.name,
    language: context.tenant.language,
    trigger_message_id: context.triggerMessageId,
    recent_messages_json: context.messages.map((m) => ({
      id: m.id,
      author: m.author,
      body: m.body,
      created_at: m.createdAt,
    })),
  }
}

export function createHttpProvider(options: CoordinatorOptions): AiProvider {
  const client = createCoordinatorClient(options)
  return {
    name: 'http',
    model: null,
    async generate(context: AiContext): Promise<ProviderResult> {
      const decision = await client.decide(templateValues(context))
      return { decision, model: null, usage: { promptTokens: 0, completionTokens: 0 }, tools: [] }
    },
  }
}
