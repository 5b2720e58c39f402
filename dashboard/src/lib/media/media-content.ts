/**
 * What a message's `media` jsonb holds (supabase/migrations/20261203020000_message_media.sql), read
 * with zod/mini so a row from before media was kept, or a field of the wrong type, shows as
 * "no file" instead of breaking the thread.
 */
import type { Json } from '@relevo/supabase/types'
import { z } from 'zod/mini'

const file = z.object({
  path: z.optional(z.string()),
  mimetype: z.optional(z.string()),
  size: z.optional(z.number()),
  sha256: z.optional(z.string()),
  filename: z.optional(z.string()),
  duration_s: z.optional(z.number()),
  width: z.optional(z.number()),
  height: z.optional(z.number()),
  voice: z.optional(z.boolean()),
})
export type MediaFile = z.infer<typeof file>

const location = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: z.optional(z.string()),
  address: z.optional(z.string()),
})
export type MediaLocation = z.infer<typeof location>

const contacts = z.object({
  contacts: z.array(z.object({ name: z.optional(z.string()), phones: z.optional(z.array(z.string())) })),
})
export type SharedContact = z.infer<typeof contacts>['contacts'][number]

export type FileType = 'image' | 'audio' | 'video' | 'document' | 'sticker'
export type MediaStatus = 'pending' | 'stored' | 'failed' | 'expired'

export type MediaContent =
  | { kind: 'file'; type: FileType; file: MediaFile; status: MediaStatus | null }
  | { kind: 'location'; location: MediaLocation }
  | { kind: 'contacts'; contacts: SharedContact[] }
  | { kind: 'none' }

const FILE_TYPES: readonly string[] = ['image', 'audio', 'video', 'document', 'sticker']
const STATUSES: readonly string[] = ['pending', 'stored', 'failed', 'expired']

export function mediaContent(msg: { type: string; media: Json; media_status: string | null }): MediaContent {
  if (msg.type === 'location') {
    const parsed = location.safeParse(msg.media)
    return parsed.success ? { kind: 'location', location: parsed.data } : { kind: 'none' }
  }
  if (msg.type === 'contacts') {
    const parsed = contacts.safeParse(msg.media)
    return parsed.success ? { kind: 'contacts', contacts: parsed.data.contacts } : { kind: 'none' }
  }
  if (!FILE_TYPES.includes(msg.type)) return { kind: 'none' }
  const parsed = file.safeParse(msg.media ?? {})
  return {
    kind: 'file',
    type: msg.type as FileType,
    file: parsed.success ? parsed.data : {},
    status:
      msg.media_status && STATUSES.includes(msg.media_status) ? (msg.media_status as MediaStatus) : null,
  }
}

/** The file can be fetched: stored, with a path in the bucket. */
export function fetchablePath(content: MediaContent): string | null {
  return content.kind === 'file' && content.status === 'stored' && content.file.path
    ? content.file.path
    : null
}

/** A map of the place on OpenStreetMap (no key, no tracking script: a plain link). */
export function mapUrl({ latitude, longitude }: MediaLocation): string {
  const lat = latitude.toFixed(6)
  const lon = longitude.toFixed(6)
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`
}

/** 1.2 MB, 340 KB: sizes in the agent's language, decimal units as WhatsApp shows them. */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`
}

/** 0:07, 1:05, 1:02:03. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const hh = Math.floor(s / 3600)
  const mm = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`
}
