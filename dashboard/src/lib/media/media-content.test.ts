import { describe, expect, it } from 'vitest'
import { fetchablePath, formatBytes, formatDuration, mapUrl, mediaContent } from './media-content.ts'

describe('mediaContent', () => {
  it('reads a stored file with its descriptor', () => {
    const content = mediaContent({
      type: 'audio',
      media_status: 'stored',
      media: {
        path: 't/c/m.ogg',
        mimetype: 'audio/ogg; codecs=opus',
        size: 5120,
        duration_s: 3,
        voice: true,
      },
    })
    expect(content).toEqual({
      kind: 'file',
      type: 'audio',
      status: 'stored',
      file: { path: 't/c/m.ogg', mimetype: 'audio/ogg; codecs=opus', size: 5120, duration_s: 3, voice: true },
    })
    expect(fetchablePath(content)).toBe('t/c/m.ogg')
  })

  it('has no fetchable path while pending, failed or expired, or for rows from before media was kept', () => {
    for (const media_status of ['pending', 'failed', 'expired', null]) {
      expect(
        fetchablePath(mediaContent({ type: 'image', media_status, media: { path: 't/c/m.png' } })),
      ).toBeNull()
    }
    expect(mediaContent({ type: 'image', media_status: null, media: null })).toMatchObject({
      kind: 'file',
      file: {},
    })
  })

  it('reads locations and contacts as data, and gives up on a malformed one', () => {
    expect(
      mediaContent({ type: 'location', media_status: null, media: { latitude: 19.4, longitude: -99.1 } }),
    ).toEqual({
      kind: 'location',
      location: { latitude: 19.4, longitude: -99.1 },
    })
    expect(
      mediaContent({
        type: 'contacts',
        media_status: null,
        media: { contacts: [{ name: 'Ana', phones: ['+52 55 1234 5678'] }] },
      }),
    ).toEqual({ kind: 'contacts', contacts: [{ name: 'Ana', phones: ['+52 55 1234 5678'] }] })
    expect(mediaContent({ type: 'location', media_status: null, media: { latitude: 'x' } })).toEqual({
      kind: 'none',
    })
    expect(mediaContent({ type: 'text', media_status: null, media: null })).toEqual({ kind: 'none' })
  })
})

describe('formatting', () => {
  it('links a place on OpenStreetMap', () => {
    expect(mapUrl({ latitude: 19.4326077, longitude: -99.133208 })).toBe(
      'https://www.openstreetmap.org/?mlat=19.432608&mlon=-99.133208#map=17/19.432608/-99.133208',
    )
  })

  it('writes sizes and durations', () => {
    expect(formatBytes(512, 'en')).toBe('512 B')
    expect(formatBytes(1_234_567, 'en')).toBe('1.2 MB')
    expect(formatBytes(1_234_567, 'es')).toBe('1,2 MB')
    expect(formatBytes(345_000, 'en')).toBe('345 KB')
    expect(formatDuration(7.4)).toBe('0:07')
    expect(formatDuration(65)).toBe('1:05')
    expect(formatDuration(3723)).toBe('1:02:03')
  })
})
