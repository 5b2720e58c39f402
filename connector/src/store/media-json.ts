/**
 * @module
 * `messages.media` as the database keeps it (snake_case, the shape the desk and functions read)
 * from and to the connector's camelCase types. Files: `{wa_type, mimetype, filename?, size?,
 * duration_s?, width?, height?, voice?}` plus, once stored, `{path, sha256}`; a location is flat
 * `{wa_type, latitude, longitude, name?, address?}`; shared contacts `{wa_type, contacts: [{name, phones}]}`.
 */
import type { Json } from '@relevo/supabase/types'
import { z } from 'zod'
import type { MediaMeta } from '../whatsapp/transport.ts'
import type { OutboxMedia, StoredMedia } from './message-store.ts'

/** Drops undefined keys, so the stored JSON has only what is known. */
function compact(record: Record<string, unknown>): { [key: string]: Json } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [key: string]: Json
  }
}

export function mediaToJson(media: MediaMeta | null): Json {
  if (!media) return null
  if (media.location) return compact({ wa_type: media.waType, ...media.location })
  if (media.contacts) return compact({ wa_type: media.waType, contacts: media.contacts })
  return compact({
    wa_type: media.waType,
    mimetype: media.mimetype,
    filename: media.filename,
    size: media.size,
    duration_s: media.durationSeconds,
    width: media.width,
    height: media.height,
    voice: media.voice,
  })
}

export function storedMediaToJson(media: StoredMedia): Json {
  return compact({
    path: media.path,
    mimetype: media.mimetype,
    size: media.size,
    sha256: media.sha256,
    filename: media.filename,
    duration_s: media.durationSeconds,
    width: media.width,
    height: media.height,
  })
}

const fileJson = z.object({
  wa_type: z.string().optional(),
  mimetype: z.string().optional(),
  filename: z.string().optional(),
  size: z.number().optional(),
  duration_s: z.number().optional(),
  voice: z.boolean().optional(),
})

/** What the connector needs to fetch a file again (media_to_fetch rows). */
export function mediaFromJson(json: unknown, type: string): MediaMeta | null {
  const parsed = fileJson.safeParse(json)
  if (!parsed.success) return null
  const m = parsed.data
  return {
    waType: m.wa_type ?? type,
    ...(m.mimetype ? { mimetype: m.mimetype } : {}),
    ...(m.filename ? { filename: m.filename } : {}),
    ...(m.size !== undefined ? { size: m.size } : {}),
    ...(m.duration_s !== undefined ? { durationSeconds: m.duration_s } : {}),
    ...(m.voice ? { voice: true } : {}),
  }
}

const outboxJson = z.object({
  path: z.string().min(1),
  mimetype: z.string().min(1),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
})

/** The file of an outbox row (send_agent_message's descriptor); null for text or an unreadable descriptor. */
export function outboxMediaFromJson(json: unknown): OutboxMedia | null {
  const parsed = outboxJson.safeParse(json)
  if (!parsed.success) return null
  const m = parsed.data
  return {
    path: m.path,
    mimetype: m.mimetype,
    ...(m.filename ? { filename: m.filename } : {}),
    voice: m.voice ?? false,
  }
}
