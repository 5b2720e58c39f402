/**
 * @module
 * Channel senders in-process, for Node (integration tests, benchmark): the same SenderCore as the
 * ChannelSender Durable Object, over memory storage.
 */
import { type AlarmDeps, SenderCore } from '../cloud-api/channel-sender.ts'
import type { WakeSender } from '../cloud-api/wake.ts'
import { LocalObjects } from './local-objects.ts'

export class LocalSenders {
  private readonly senders: LocalObjects<SenderCore>

  constructor(deps: () => AlarmDeps) {
    this.senders = new LocalObjects((storage) => new SenderCore(storage, deps))
  }

  readonly wake: WakeSender = (channelId) => this.senders.get(channelId).notify(channelId)

  /** Waits until no sender has an alarm due within `horizonMs` (retry backoffs) or a drain running. */
  idle(horizonMs = 3_000): Promise<void> {
    return this.senders.idle(horizonMs)
  }
}
