import { HEARTBEAT_STALE_SECONDS } from '@relevo/contracts/limits'
import type { Channel, ChannelLink } from '../admin/types.ts'

// The same threshold as the functions' sweeper uses to mark the channel disconnected.
const STALE_AFTER_MS = HEARTBEAT_STALE_SECONDS * 1000

export type ChannelHealth = { kind: 'live' } | { kind: 'stale'; silentMinutes: number } | { kind: 'never' }

export function channelHealth(channel: Pick<Channel, 'last_heartbeat_at'>, now: number): ChannelHealth {
  if (!channel.last_heartbeat_at) return { kind: 'never' }
  const silentMs = now - new Date(channel.last_heartbeat_at).getTime()
  if (silentMs < STALE_AFTER_MS) return { kind: 'live' }
  return { kind: 'stale', silentMinutes: Math.max(1, Math.floor(silentMs / 60_000)) }
}

/** The QR is shown only while the connector asks for one and has not let it expire. */
export function showsQr(
  status: Channel['status'],
  link: Pick<ChannelLink, 'qr' | 'qr_expires_at'> | undefined,
  now: number,
): link is ChannelLink & { qr: string } {
  if (status !== 'qr' || !link?.qr) return false
  return !link.qr_expires_at || new Date(link.qr_expires_at).getTime() > now
}

/** A feed row replaces the shown one (same id), newest status wins; new channels are appended. */
export function upsertChannel<T extends Pick<Channel, 'id'>>(list: T[], row: T): T[] {
  const index = list.findIndex((c) => c.id === row.id)
  if (index === -1) return [...list, row]
  return list.map((c, i) => (i === index ? row : c))
}
