/**
 * @module
 * Conversation agents in-process, for Node (integration tests against the local stand-in, the
 * benchmark): the same AgentCore over an in-memory storage whose alarm is a timer. Like the
 * runtime, an alarm that fires is removed before its handler runs, and handlers of one agent never
 * overlap.
 */
import type { AgentStorage } from '../agent/conversation-agent.ts'
import { AgentCore } from '../agent/conversation-agent.ts'
import type { WakeAgent } from '../pipeline/store.ts'
import type { Services } from '../wiring/services.ts'

/** Durable Object storage and alarm in memory (shared with local-senders.ts). */
export class MemoryAgentStorage implements AgentStorage {
  private readonly data = new Map<string, unknown>()
  private timer: ReturnType<typeof setTimeout> | null = null
  alarmAt: number | null = null
  handlers: Promise<void> = Promise.resolve()
  onAlarm: () => Promise<void> = async () => {}

  async get<T>(key: string) {
    return structuredClone(this.data.get(key)) as T | undefined
  }
  async put<T>(key: string, value: T) {
    this.data.set(key, structuredClone(value))
  }
  async delete(key: string) {
    return this.data.delete(key)
  }
  async setAlarm(at: number) {
    await this.deleteAlarm()
    this.alarmAt = at
    this.timer = setTimeout(
      () => {
        this.alarmAt = null
        this.timer = null
        this.handlers = this.handlers.then(this.onAlarm).catch(() => {})
      },
      Math.max(0, at - Date.now()),
    )
  }
  async deleteAlarm() {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.alarmAt = null
  }
}

export class LocalAgents {
  private readonly agents = new Map<string, { storage: MemoryAgentStorage; core: AgentCore }>()

  constructor(private readonly services: () => Services) {}

  readonly wake: WakeAgent = async (conversationId, messageId) => {
    await this.agent(conversationId).notify(conversationId, messageId)
  }

  private agent(conversationId: string): AgentCore {
    let agent = this.agents.get(conversationId)
    if (!agent) {
      const storage = new MemoryAgentStorage()
      const core = new AgentCore(storage, this.services)
      storage.onAlarm = () => core.alarm()
      agent = { storage, core }
      this.agents.set(conversationId, agent)
    }
    return agent.core
  }

  /** Waits until no agent has an alarm due within `horizonMs` (debounce windows) or a handler running. */
  idle(horizonMs = 5_000): Promise<void> {
    return idleStorages(() => [...this.agents.values()].map((a) => a.storage), horizonMs)
  }
}

/** Waits until none of the storages has an alarm due within `horizonMs` or a handler running. */
export async function idleStorages(storages: () => MemoryAgentStorage[], horizonMs: number): Promise<void> {
  for (;;) {
    const all = storages()
    await Promise.all(all.map((s) => s.handlers))
    const soonest = Math.min(...all.map((s) => s.alarmAt ?? Number.POSITIVE_INFINITY))
    if (soonest > Date.now() + horizonMs) return
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, soonest - Date.now())))
  }
}
