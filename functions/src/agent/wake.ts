/**
 * @module
 * How the webhook and the sweeper hand a message to its conversation's agent: through the
 * `CONVERSATION_AGENT` Durable Object binding in the Worker, in-process in Node tests.
 */
import type { Bindings } from '../lib/config.ts'
import { ConfigError } from '../lib/errors.ts'

/**
 * What the Worker needs of the `DurableObjectNamespace<ConversationAgent>` binding, structurally,
 * so that Node code (integration tests, benchmark) type-checks without the Workers types.
 */
export interface AgentNamespace {
  idFromName(name: string): unknown
  get(id: unknown): { notify(conversationId: string, messageId: string): Promise<unknown> }
}

/** Tells the conversation's agent about an incoming message; resolves once that is stored durably. */
export type WakeAgent = (conversationId: string, messageId: string) => Promise<void>

export function durableWake(env: Bindings): WakeAgent {
  return async (conversationId, messageId) => {
    const namespace = env.CONVERSATION_AGENT
    if (!namespace) {
      throw new ConfigError(
        'The CONVERSATION_AGENT Durable Object binding is missing',
        'Declare it in wrangler.toml [[durable_objects.bindings]] with its [[migrations]] entry',
      )
    }
    await namespace.get(namespace.idFromName(conversationId)).notify(conversationId, messageId)
  }
}
