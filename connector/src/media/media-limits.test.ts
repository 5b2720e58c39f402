import * as shared from '@relevo/supabase/media-paths'
import { describe, expect, it } from 'vitest'
import { extensionOf, objectPath, whatsappLimits } from './media-limits.ts'

// The connector's image carries no workspace package, so it keeps its own copy of the object
// names; the functions (Cloud API files) use @relevo/supabase/media-paths. Both must agree.
describe('object names agree with @relevo/supabase/media-paths', () => {
  const types = [
    'image/jpeg',
    'image/png',
    'image/webp',
    'image/gif',
    'audio/ogg; codecs=opus',
    'audio/mpeg',
    'audio/mp4',
    'audio/aac',
    'audio/amr',
    'video/mp4',
    'video/3gpp',
    'application/pdf',
    'text/plain',
    'application/zip',
    'application/octet-stream',
  ]
  it.each(types)('%s', (mimetype) => {
    for (const filename of [undefined, 'Factura Marzo.XLSX', 'sin-extension']) {
      expect(extensionOf(mimetype, filename)).toBe(shared.extensionOf(mimetype, filename))
    }
    const target = { tenantId: 't', conversationId: 'c', messageId: 'm' }
    expect(objectPath(target, mimetype)).toBe(shared.objectPath(target, mimetype))
  })

  it('has the same caps', () => {
    expect(whatsappLimits).toEqual({
      maxBytes: shared.WHATSAPP_MAX_BYTES,
      documentMaxBytes: shared.WHATSAPP_DOCUMENT_MAX_BYTES,
    })
  })
})
