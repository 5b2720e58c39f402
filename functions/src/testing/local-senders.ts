/**
 * @module
 * Channel senders in-process, for Node (integration tests, benchmark): the same SenderCore as the
 * ChannelSender Durable Object, over memory storage.
 */
import { type AlarmDeps, SenderCore } from '../cloud-api/channel-sender.ts'
import { LocalWakeables } from './local-objects.ts'

/** `idle()` waits 3 s ahead: retry backoffs are awaited. */
export class LocalSenders extends LocalWakeables<SenderCore> {
  constructor(deps: () => AlarmDeps) {
    super((storage) => new SenderCore(storage, deps), 3_000)
  }
}
