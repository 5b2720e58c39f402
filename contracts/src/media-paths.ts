/**
 * Where a received file lives in the bucket `media`, as every writer must name it: the connector
 * (WhatsApp Web) and the functions (Cloud API) store incoming files at
 * `<tenant>/<conversation>/<message>.<ext>`, the only path `mark_media_stored` accepts.
 * Imported as `@relevo/contracts/media-paths` by both.
 */

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

/** WhatsApp's own caps: 16 MB for images, audio, video and stickers; 100 MB for documents. */
export const WHATSAPP_MAX_BYTES = 16 * 1_048_576
export const WHATSAPP_DOCUMENT_MAX_BYTES = 100 * 1_048_576
