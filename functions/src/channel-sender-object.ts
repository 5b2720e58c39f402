/**
 * @module
 * `ChannelSender`: the Durable Object (one per Cloud API channel, named by its id) that sends the
 * channel's outbox at the number's rate. The logic is in cloud-api/channel-sender.ts; this class
 * binds it to the object's storage and alarm (SQLite-backed, wrangler.toml `new_sqlite_classes`).
 */
import { DurableObject } from 'cloudflare:workers'
import { SenderCore } from './cloud-api/channel-sender.ts'
import type { Bindings } from './config/config.ts'
import { objectServices } from './durable-object.ts'

export class ChannelSender extends DurableObject<Bindings> {
  private readonly core: SenderCore

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.core = new SenderCore(ctx.storage, () => objectServices(env))
  }

  notify(channelId: string): Promise<void> {
    return this.core.notify(channelId)
  }

  override alarm(): Promise<void> {
    return this.core.alarm()
  }
}
