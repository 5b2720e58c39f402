import { describe, expect, it } from 'vitest'
import { extensionOf, objectPath } from './media-paths.ts'

describe('object names of received files', () => {
  it.each([
    ['image/jpeg', 'jpg'],
    ['audio/ogg; codecs=opus', 'ogg'],
    ['AUDIO/MP4', 'm4a'],
    ['video/3gpp', '3gp'],
    ['application/pdf', 'pdf'],
  ])('%s → .%s', (mimetype, extension) => {
    expect(extensionOf(mimetype, 'ignored.xlsx')).toBe(extension)
  })

  it("keeps an unknown type's file-name extension, lower-cased, else bin", () => {
    expect(extensionOf('application/zip', 'Factura Marzo.XLSX')).toBe('xlsx')
    expect(extensionOf('application/octet-stream', 'sin-extension')).toBe('bin')
    expect(extensionOf('application/octet-stream')).toBe('bin')
    expect(extensionOf('application/octet-stream', 'x.toolongextension')).toBe('bin')
  })

  it('names the object <tenant>/<conversation>/<message>.<ext>', () => {
    const target = { tenantId: 't', conversationId: 'c', messageId: 'm' }
    expect(objectPath(target, 'audio/ogg; codecs=opus')).toBe('t/c/m.ogg')
    expect(objectPath(target, 'text/csv', 'pedidos.CSV')).toBe('t/c/m.csv')
  })
})
