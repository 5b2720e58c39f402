/**
 * What the composer checks before a file is uploaded (issue 15): the media bucket's MIME allow-list
 * and overall cap, and the per-kind limit of `public.media_limits`. The same rules the server
 * enforces afterwards, so a file the desk refuses would have been refused anyway, and nothing is
 * stored for it.
 */

export type MediaKind = 'image' | 'audio' | 'video' | 'document'

export interface UploadRules {
  /** `public.media_limits`: largest file per kind, in bytes. */
  maxBytes: Partial<Record<MediaKind, number>>
  /** The bucket's `file_size_limit` (null: none). */
  bucketMaxBytes: number | null
  /** The bucket's `allowed_mime_types` (null: any type). */
  allowedTypes: readonly string[] | null
}

export type FileCheck =
  | { ok: true; kind: MediaKind; mimetype: string }
  | { ok: false; reason: 'type'; mimetype: string }
  | { ok: false; reason: 'too_large'; kind: MediaKind; maxBytes: number }
  | { ok: false; reason: 'empty' }

/** The kind of file a MIME type makes, as `send_agent_message` derives the message type. */
export function kindOf(mimetype: string): MediaKind {
  const family = mimetype.split('/')[0]
  return family === 'image' || family === 'audio' || family === 'video' ? family : 'document'
}

/**
 * Storage's allow-list rule: an exact type, or `family/*`; the type is compared as sent, parameters
 * included (ADR 080), so `audio/ogg; codecs=opus` matches `audio/*` and not `audio/ogg`.
 */
export function typeAllowed(mimetype: string, allowed: readonly string[] | null): boolean {
  if (allowed === null) return true
  const type = mimetype.toLowerCase()
  return allowed.some((entry) => {
    const rule = entry.toLowerCase()
    return rule.endsWith('/*') ? type.startsWith(rule.slice(0, -1)) : type === rule
  })
}

/** Checks a picked, dropped or pasted file; an unknown type (`''`) counts as a document of unknown kind. */
export function checkFile(file: { size: number; type: string }, rules: UploadRules): FileCheck {
  const mimetype = file.type || 'application/octet-stream'
  if (file.size === 0) return { ok: false, reason: 'empty' }
  if (!typeAllowed(mimetype, rules.allowedTypes)) return { ok: false, reason: 'type', mimetype }
  const kind = kindOf(mimetype)
  const caps = [rules.maxBytes[kind], rules.bucketMaxBytes].filter((n): n is number => typeof n === 'number')
  const maxBytes = caps.length > 0 ? Math.min(...caps) : Number.POSITIVE_INFINITY
  if (file.size > maxBytes) return { ok: false, reason: 'too_large', kind, maxBytes }
  return { ok: true, kind, mimetype }
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/zip': 'zip',
}

/** The object's extension: the file name's when it has a safe one, else one for its type, else `bin`. */
export function extensionFor(filename: string, mimetype: string): string {
  const own = /\.([a-z0-9]{1,8})$/i.exec(filename)?.[1]
  if (own) return own.toLowerCase()
  return EXTENSIONS[mimetype.split(';')[0]?.trim() ?? ''] ?? 'bin'
}

/** Where an agent's file goes: `<tenant>/outgoing/<uuid>.<ext>`, the only folder RLS lets agents write. */
export function outgoingPath(tenantId: string, id: string, filename: string, mimetype: string): string {
  return `${tenantId}/outgoing/${id}.${extensionFor(filename, mimetype)}`
}
