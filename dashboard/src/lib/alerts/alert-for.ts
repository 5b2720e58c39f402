import type { Change } from '../types.ts'

export type Alert =
  | { kind: 'attention'; conversationId: string; name: string }
  | { kind: 'channel'; channelId: string; status: 'disconnected' | 'logged_out' | 'error'; name: string }
  | { kind: 'endpoint'; endpointId: string; url: string }

/**
 * Which feed changes call for a person: a chat that starts needing attention (not one that
 * still does) and a number that drops (disconnected, logged out, or a Cloud API number whose token
 * stopped working; not again while it stays so), and, on the admins' topic, a webhook endpoint that a
 * day of failed deliveries paused (ADR 091).
 */
export function alertFor(change: Change): Alert | null {
  if (!change.record) return null
  if (change.table === 'conversations') {
    const conv = change.record
    const was = change.old_record?.needs_attention ?? false
    if (!conv.needs_attention || was || conv.status !== 'open') return null
    return {
      kind: 'attention',
      conversationId: conv.id,
      name: conv.customer_name || conv.customer_phone || '',
    }
  }
  if (change.table === 'channels') {
    const chan = change.record
    const was = change.old_record?.status
    const status = chan.status
    // Removing a number (ADR 113) disconnects it on purpose: nobody needs to be told.
    if (chan.archived_at) return null
    if ((status !== 'disconnected' && status !== 'logged_out' && status !== 'error') || was === status)
      return null
    return { kind: 'channel', channelId: chan.id, status, name: chan.phone || chan.name }
  }
  if (change.table === 'webhook_endpoints') {
    const endpoint = change.record
    if (!endpoint.auto_paused_at || change.old_record?.auto_paused_at) return null
    return { kind: 'endpoint', endpointId: endpoint.id, url: endpoint.url }
  }
  return null
}

/** "⚠ 2 · (5) Relevo": chats waiting for a person first, then unread ones. */
export function tabTitle(unread: number, attention: number): string {
  return `${attention > 0 ? `⚠ ${attention} · ` : ''}${unread > 0 ? `(${unread}) ` : ''}Relevo`
}
