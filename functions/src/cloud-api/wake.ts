/**
 * @module
 * How the database webhook and the sweeper hand a Cloud API channel's outbox to its sender:
 * through the `CHANNEL_SENDER` Durable Object binding in the Worker, in-process in Node tests.
 */
import type { SenderBinding } from '../config/config.ts'
import { ConfigError } from '../shared/errors.ts'

/** Tells the channel's sender that its outbox has work; resolves once the sender stored that. */
export type WakeSender = (channelId: string) => Promise<void>

export function durableWakeSender(namespace: SenderBinding | undefined): WakeSender {
  return async (channelId) => {
    if (!namespace) {
      throw new ConfigError(
        'The CHANNEL_SENDER Durable Object binding is missing',
        'Declare it in wrangler.toml [[durable_objects.bindings]] with its [[migrations]] entry',
      )
    }
    await namespace.get(namespace.idFromName(channelId)).notify(channelId)
  }
}

/** The sweeper's part: wake every Cloud API channel with outbox work due (a dropped webhook). */
export async function wakeDueSenders(
  channelsWithDueOutbox: () => Promise<string[]>,
  wake: WakeSender,
): Promise<number> {
  const channels = await channelsWithDueOutbox()
  for (const channelId of channels) await wake(channelId)
  return channels.length
}
