/**
 * @module
 * Conversation agents in-process, for Node (integration tests against the local stand-in, the
 * benchmark): the same AgentCore as the ConversationAgent Durable Object, over memory storage.
 */
import { AgentCore } from '../agent/conversation-agent.ts'
import type { WakeAgent } from '../pipeline/store.ts'
import type { Services } from '../wiring/services.ts'
import { LocalObjects } from './local-objects.ts'

export class LocalAgents {
  private readonly agents: LocalObjects<AgentCore>

  constructor(services: () => Services) {
    this.agents = new LocalObjects((storage) => new AgentCore(storage, services))
  }

  readonly wake: WakeAgent = async (conversationId, messageId) => {
    await this.agents.get(conversationId).notify(conversationId, messageId)
  }

  /** Waits until no agent has an alarm due within `horizonMs` (debounce windows) or a handler running. */
  idle(horizonMs = 5_000): Promise<void> {
    return this.agents.idle(horizonMs)
  }
}
