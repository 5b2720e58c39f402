/**
 * @module
 * How the webhook and the sweeper hand a message to its conversation's agent: through the
 * `CONVERSATION_AGENT` Durable Object binding in the Worker, in-process in Node tests.
 */
import type { Bindings } from '../config/config.ts'
import type { WakeAgent } from '../pipeline/store.ts'
import { ConfigError } from '../shared/errors.ts'

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
