/**
 * @module
 * Channel senders in-process, for Node (integration tests, benchmark): the same SenderCore as the
 * ChannelSender Durable Object over the in-memory storage whose alarm is a timer.
 */
import { type AlarmDeps, SenderCore } from '../cloud-api/channel-sender.ts'
import type { WakeSender } from '../cloud-api/wake.ts'
import { idleStorages, MemoryAgentStorage } from './local-agents.ts'

export class LocalSenders {
  private readonly senders = new Map<string, { storage: MemoryAgentStorage; core: SenderCore }>()

  constructor(private readonly deps: () => AlarmDeps) {}

  readonly wake: WakeSender = async (channelId) => {
    let sender = this.senders.get(channelId)
    if (!sender) {
      const storage = new MemoryAgentStorage()
      const core = new SenderCore(storage, this.deps)
      storage.onAlarm = () => core.alarm()
      sender = { storage, core }
      this.senders.set(channelId, sender)
    }
    await sender.core.notify(channelId)
  }

  /** Waits until no sender has an alarm due within `horizonMs` (retry backoffs) or a drain running. */
  idle(horizonMs = 3_000): Promise<void> {
    return idleStorages(() => [...this.senders.values()].map((s) => s.storage), horizonMs)
  }
}
