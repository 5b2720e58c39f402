/**
 * @module
 * Webhook endpoint deliverers in-process, for Node (integration tests against the local stand-in,
 * the benchmark): the same DelivererCore as the EndpointDeliverer Durable Object, over memory storage.
 */
import { DelivererCore, type DelivererDeps } from '../events/endpoint-deliverer.ts'
import type { WakeEndpoint } from '../pipeline/store.ts'
import { LocalObjects } from './local-objects.ts'

export class LocalDeliverers {
  private readonly deliverers: LocalObjects<DelivererCore>

  constructor(deps: () => DelivererDeps) {
    this.deliverers = new LocalObjects((storage) => new DelivererCore(storage, deps))
  }

  readonly wake: WakeEndpoint = (endpointId) => this.deliverers.get(endpointId).notify(endpointId)

  /** Waits until no deliverer is running or due within `horizonMs` (later retries are not awaited). */
  idle(horizonMs = 1_000): Promise<void> {
    return this.deliverers.idle(horizonMs)
  }
}
