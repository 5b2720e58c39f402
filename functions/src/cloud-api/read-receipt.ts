/**
 * @module
 * Read receipts and the typing indicator for Cloud API customers: Meta's `status: read` on the
 * conversation's latest inbound wamid, with `typing_indicator` while the AI composes. WhatsApp Web
 * numbers get the same from their connector (the `ai_composing` broadcast); for them this is a no-op.
 * Best effort: a receipt that fails is logged and never holds up a reply.
 */
import type { Logger } from '../shared/logger.ts'
import type { CloudStore, GraphApiFor } from './ports.ts'

export interface ReceiptDeps {
  cloudStore: Pick<CloudStore, 'latestInbound'>
  graphFor: GraphApiFor
  logger: Logger
}

/** Marks the conversation read on WhatsApp (and shows "typing…" when `typing`); false when nothing was sent. */
export async function sendReadReceipt(
  deps: ReceiptDeps,
  conversationId: string,
  typing: boolean,
): Promise<boolean> {
  try {
    const latest = await deps.cloudStore.latestInbound(conversationId)
    if (!latest || latest.channel.status === 'error') return false
    await deps.graphFor(latest.channel).markRead(latest.waMessageId, typing)
    return true
  } catch (error) {
    deps.logger.warn({ err: error, conversationId, typing }, 'Cloud API read receipt not sent')
    return false
  }
}
