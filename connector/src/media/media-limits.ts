/**
 * @module
 * Size caps for incoming files. The caps default to WhatsApp's own limits (16 MB for images,
 * audio, video and stickers; 100 MB for documents) and are configurable per deployment
 * (MEDIA_MAX_MB, MEDIA_DOCUMENT_MAX_MB). Object names come from @relevo/contracts/media-paths,
 * the same the functions use for Cloud API files.
 */
import { WHATSAPP_DOCUMENT_MAX_BYTES, WHATSAPP_MAX_BYTES } from '@relevo/contracts/media-paths'
import type { MessageType } from '../whatsapp/transport.ts'

export interface MediaLimits {
  maxBytes: number
  documentMaxBytes: number
}

export const whatsappLimits: MediaLimits = {
  maxBytes: WHATSAPP_MAX_BYTES,
  documentMaxBytes: WHATSAPP_DOCUMENT_MAX_BYTES,
}

export function capFor(type: MessageType, limits: MediaLimits): number {
  return type === 'document' ? limits.documentMaxBytes : limits.maxBytes
}
