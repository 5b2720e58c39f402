/**
 * @module
 * Webhook endpoint deliverers in-process, for Node (integration tests against the local stand-in,
 * the benchmark): the same DelivererCore as the EndpointDeliverer Durable Object, over memory
 * storage whose alarm is a timer.
 */
import { DelivererCore, type DelivererDeps } from '../events/endpoint-deliverer.ts'
import type { WakeEndpoint } from '../pipeline/store.ts'
import { idleStorages, MemoryAgentStorage } from './local-agents.ts'

export class LocalDeliverers {
  private readonly deliverers = new Map<string, { storage: MemoryAgentStorage; core: DelivererCore }>()

  constructor(private readonly deps: () => DelivererDeps) {}

  readonly wake: WakeEndpoint = async (endpointId) => {
    let deliverer = this.deliverers.get(endpointId)
    if (!deliverer) {
      const storage = new MemoryAgentStorage()
      const core = new DelivererCore(storage, this.deps)
      storage.onAlarm = () => core.alarm()
      deliverer = { storage, core }
      this.deliverers.set(endpointId, deliverer)
    }
    await deliverer.core.notify(endpointId)
  }

  /** Waits until no deliverer is running or due within `horizonMs` (later retries are not awaited). */
  idle(horizonMs = 1_000): Promise<void> {
    return idleStorages(() => [...this.deliverers.values()].map((d) => d.storage), horizonMs)
  }
}
