/**
 * @module
 * Webhook endpoint deliverers in-process, for Node (integration tests against the local stand-in,
 * the benchmark): the same DelivererCore as the EndpointDeliverer Durable Object, over memory storage.
 */
import { DelivererCore, type DelivererDeps } from '../events/endpoint-deliverer.ts'
import { LocalWakeables } from './local-objects.ts'

/** `idle()` waits 1 s ahead: later retries are not awaited. */
export class LocalDeliverers extends LocalWakeables<DelivererCore> {
  constructor(deps: () => DelivererDeps) {
    super((storage) => new DelivererCore(storage, deps), 1_000)
  }
}
