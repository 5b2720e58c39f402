/**
 * @module
 * Size caps and object names for incoming files. The caps default to WhatsApp's own limits
 * (16 MB for images, audio, video and stickers; 100 MB for documents) and are configurable per
 * deployment (MEDIA_MAX_MB, MEDIA_DOCUMENT_MAX_MB).
 */
import type { MessageType } from '../whatsapp/transport.ts'

export interface MediaLimits {
  maxBytes: number
  documentMaxBytes: number
}

export const whatsappLimits: MediaLimits = { maxBytes: 16 * 1_048_576, documentMaxBytes: 100 * 1_048_576 }

export function capFor(type: MessageType, limits: MediaLimits): number {
  return type === 'document' ? limits.documentMaxBytes : limits.maxBytes
}

/** Extensions for the types WhatsApp sends; anything else keeps its file name's extension, else `bin`. */
const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
}

export function extensionOf(mimetype: string, filename?: string): string {
  const known = extensions[mimetype.split(';')[0]?.trim().toLowerCase() ?? '']
  if (known) return known
  const fromName = /\.([a-z0-9]{1,8})$/i.exec(filename ?? '')?.[1]
  return fromName ? fromName.toLowerCase() : 'bin'
}

/** `<tenant>/<conversation>/<message>.<ext>` in the bucket `media` (mark_media_stored checks it). */
export function objectPath(
  target: { tenantId: string; conversationId: string; messageId: string },
  mimetype: string,
  filename?: string,
): string {
  return `${target.tenantId}/${target.conversationId}/${target.messageId}.${extensionOf(mimetype, filename)}`
}
