import { randomBytes } from 'node:crypto'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import type { Client, Message, MessageMedia } from 'whatsapp-web.js'
import { MediaError } from './errors.ts'
import { base64Size, base64Stream, downloadWebMedia } from './whatsapp-web-media.ts'

/** A client whose one message announces `size` and hands over `media` (or undefined: expired). */
function clientWith(
  size: number | undefined,
  media: Partial<MessageMedia> | undefined,
  calls = { downloads: 0 },
) {
  const message = {
    rawData: size === undefined ? {} : { size },
    downloadMedia: async () => {
      calls.downloads += 1
      return media as MessageMedia
    },
  } as unknown as Message
  return { getMessageById: async (id: string) => (id === 'wa-1' ? message : undefined) } as unknown as Client
}

describe('reading a file through whatsapp-web.js', () => {
  it('decodes the base64 string in slices to the same bytes, and knows its size without decoding', async () => {
    for (const n of [0, 1, 2, 3, 1_048_575, 1_048_577, 3_000_001]) {
      const data = randomBytes(n)
      const text = data.toString('base64')
      expect(base64Size(text)).toBe(n)
      expect((await buffer(base64Stream(text))).equals(data)).toBe(true)
    }
  })

  it('refuses a file over the cap from its announced size, without asking WhatsApp for it', async () => {
    const calls = { downloads: 0 }
    const error = await downloadWebMedia(clientWith(20_000_000, undefined, calls), 'wa-1', 16_000_000).catch(
      (e) => e,
    )
    expect(error).toBeInstanceOf(MediaError)
    expect(error).toMatchObject({ code: 'too_large', retryable: false })
    expect(calls.downloads).toBe(0)
  })

  it('refuses from the base64 length when the size was not announced', async () => {
    const data = randomBytes(2000).toString('base64')
    const error = await downloadWebMedia(
      clientWith(undefined, { mimetype: 'image/jpeg', data }),
      'wa-1',
      1000,
    ).catch((e) => e)
    expect(error).toMatchObject({ code: 'too_large', retryable: false })
  })

  it('reports an expired file as retryable and an unknown message as gone', async () => {
    await expect(downloadWebMedia(clientWith(10, undefined), 'wa-1', 1000)).rejects.toMatchObject({
      code: 'media_gone',
      retryable: true,
    })
    await expect(downloadWebMedia(clientWith(10, undefined), 'wa-2', 1000)).rejects.toMatchObject({
      code: 'media_gone',
      retryable: false,
    })
  })

  it('streams the file with its type and name', async () => {
    const data = randomBytes(5000)
    const download = await downloadWebMedia(
      clientWith(5000, {
        mimetype: 'application/pdf',
        data: data.toString('base64'),
        filename: 'factura.pdf',
      }),
      'wa-1',
      10_000,
    )
    expect(download).toMatchObject({ mimetype: 'application/pdf', filename: 'factura.pdf' })
    expect((await buffer(download.stream)).equals(data)).toBe(true)
  })
})
