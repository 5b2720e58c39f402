/**
 * @module
 * Durable Objects in-process, for Node (integration tests against the local stand-in, the
 * benchmark): one core per id over an in-memory storage whose alarm is a timer. Like the runtime,
 * an alarm that fires is removed before its handler runs, and handlers of one object never overlap.
 */
import type { AgentStorage } from '../agent/conversation-agent.ts'

/** A Durable Object's storage and alarm in memory. */
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
  async getAlarm() {
    return this.alarmAt
  }
  async deleteAlarm() {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.alarmAt = null
  }
}

/** The objects of one kind, created on first use, each with its own storage. */
export class LocalObjects<Core extends { alarm(): Promise<void> }> {
  private readonly objects = new Map<string, { storage: MemoryAgentStorage; core: Core }>()

  constructor(private readonly create: (storage: MemoryAgentStorage) => Core) {}

  get(id: string): Core {
    let object = this.objects.get(id)
    if (!object) {
      const storage = new MemoryAgentStorage()
      const core = this.create(storage)
      storage.onAlarm = () => core.alarm()
      object = { storage, core }
      this.objects.set(id, object)
    }
    return object.core
  }

  /** Resolves once no object has a handler running or an alarm due within `horizonMs`. */
  async idle(horizonMs: number): Promise<void> {
    for (;;) {
      const storages = [...this.objects.values()].map((o) => o.storage)
      await Promise.all(storages.map((s) => s.handlers))
      const soonest = Math.min(...storages.map((s) => s.alarmAt ?? Number.POSITIVE_INFINITY))
      if (soonest > Date.now() + horizonMs) return
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, soonest - Date.now())))
    }
  }
}

/**
 * Objects a store write wakes by their id alone (endpoint deliverers, channel senders): `wake(id)`
 * notifies the object of that id; `idle()` waits up to the kind's own horizon.
 */
export class LocalWakeables<Core extends { alarm(): Promise<void>; notify(id: string): Promise<void> }> {
  private readonly objects: LocalObjects<Core>

  constructor(
    create: (storage: MemoryAgentStorage) => Core,
    private readonly horizonMs: number,
  ) {
    this.objects = new LocalObjects(create)
  }

  readonly wake = (id: string): Promise<void> => this.objects.get(id).notify(id)

  /** Waits until no object has a handler running or an alarm due within `horizonMs`. */
  idle(horizonMs = this.horizonMs): Promise<void> {
    return this.objects.idle(horizonMs)
  }
}
