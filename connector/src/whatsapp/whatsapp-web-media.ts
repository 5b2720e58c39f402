/**
 * @module
 * Reading a media message's file through whatsapp-web.js. The library has no streaming:
 * `downloadMedia()` decrypts in the page and hands the whole file over CDP as one base64 string
 * (≈ 4/3 of its size), or `undefined` when WhatsApp no longer has it. So the announced size is
 * checked before asking for it, the decoded size before decoding, and the string is decoded in
 * 1 MiB slices into a stream, never into a second whole copy. Types only from whatsapp-web.js.
 */
import { Readable } from 'node:stream'
import type { Client } from 'whatsapp-web.js'
import { MediaError, tooLarge } from './errors.ts'
import type { MediaDownload } from './transport.ts'

/** Bytes encoded by a base64 string, without decoding it. */
export function base64Size(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0
  return Math.floor((data.length * 3) / 4) - padding
}

/** The bytes of a base64 string as a stream of 1 MiB buffers (a multiple of 4 characters per slice). */
export function base64Stream(data: string): Readable {
  const step = 4 * 262_144
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += step) yield Buffer.from(data.slice(i, i + step), 'base64')
    })(),
    { objectMode: false },
  )
}

export async function downloadWebMedia(
  client: Client,
  waMessageId: string,
  maxBytes: number,
): Promise<MediaDownload> {
  const msg = await client.getMessageById(waMessageId)
  if (!msg) {
    throw new MediaError('media_gone', 'WhatsApp Web does not have this message any more', {
      retryable: false,
      hint: 'Ask the customer to send the file again',
    })
  }
  const announced = Number((msg.rawData as { size?: unknown } | undefined)?.size)
  if (Number.isFinite(announced) && announced > maxBytes) throw tooLarge(announced, maxBytes)
  let media: Awaited<ReturnType<typeof msg.downloadMedia>> | undefined
  try {
    media = await msg.downloadMedia()
  } catch (error) {
    throw new MediaError('download_failed', `downloadMedia failed: ${(error as Error).message}`, {
      retryable: true,
      hint: 'Retried with backoff',
      cause: error,
    })
  }
  // undefined: expired on WhatsApp's servers, being re-uploaded by the phone, or an error in the page.
  if (!media?.data) {
    throw new MediaError(
      'media_gone',
      'WhatsApp could not hand over the file (expired or being re-uploaded)',
      {
        retryable: true,
        hint: 'Retried with backoff; the phone may re-upload it',
      },
    )
  }
  const size = base64Size(media.data)
  if (size > maxBytes) throw tooLarge(size, maxBytes)
  return {
    mimetype: media.mimetype,
    ...(media.filename ? { filename: media.filename } : {}),
    stream: base64Stream(media.data),
  }
}
