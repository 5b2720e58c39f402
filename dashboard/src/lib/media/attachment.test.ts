import { describe, expect, it } from 'vitest'
import { DeskError } from '../desk-error.ts'
import { Attachment } from './attachment.svelte.ts'
import type { UploadRules } from './media-limits.ts'
import type { OutgoingMedia } from './outgoing-media.ts'

const rules: UploadRules = {
  maxBytes: { image: 1000, document: 5000 },
  bucketMaxBytes: 10_000,
  allowedTypes: ['image/png', 'application/pdf'],
}

/** A MediaService double: the rules it answers and the uploads it was asked for. */
function fakeMedia(options: { rules?: () => Promise<UploadRules>; fail?: DeskError } = {}) {
  const uploads: string[] = []
  return {
    uploads,
    uploadRules: options.rules ?? (async () => rules),
    async upload(file: File, mimetype: string, onProgress: (sent: number, total: number) => void) {
      uploads.push(file.name)
      onProgress(file.size / 2, file.size)
      if (options.fail) throw options.fail
      return {
        path: `t/outgoing/x.${mimetype.split('/')[1]}`,
        mimetype,
        filename: file.name,
      } satisfies OutgoingMedia
    },
  }
}

const file = (name: string, type: string, size: number) => new File([new Uint8Array(size)], name, { type })

describe('Attachment', () => {
  it('refuses a file over its limit or of a refused type at once, and never uploads it', async () => {
    const media = fakeMedia()
    const attachment = new Attachment(media)
    await attachment.choose(file('big.png', 'image/png', 1001))
    expect(attachment.file).toBeNull()
    expect(attachment.problem).toEqual({
      ok: false,
      reason: 'too_large',
      kind: 'image',
      maxBytes: 1000,
      name: 'big.png',
      size: 1001,
    })
    expect(await attachment.upload()).toBeNull()
    await attachment.choose(file('x.svg', 'image/svg+xml', 10))
    expect(attachment.problem).toMatchObject({ reason: 'type', mimetype: 'image/svg+xml' })
    expect(media.uploads).toEqual([])
  })

  it('uploads an accepted file with progress and answers what send_agent_message takes', async () => {
    const media = fakeMedia()
    const attachment = new Attachment(media)
    await attachment.choose(file('Factura.pdf', 'application/pdf', 4000))
    expect(attachment.problem).toBeNull()
    const seen: (number | null)[] = []
    const done = attachment.upload()
    seen.push(attachment.progress)
    expect(await done).toEqual({
      path: 't/outgoing/x.pdf',
      mimetype: 'application/pdf',
      filename: 'Factura.pdf',
    })
    expect(seen).toEqual([0.5])
    expect(attachment.progress).toBeNull()
  })

  it('keeps the file and says why when the upload or the rules fail', async () => {
    const failing = new Attachment(
      fakeMedia({ fail: new DeskError('upload_failed', 'offline', { retryable: true }) }),
    )
    await failing.choose(file('a.png', 'image/png', 10))
    expect(await failing.upload()).toBeNull()
    expect(failing.file?.name).toBe('a.png')
    expect(failing.problem).toEqual({ ok: false, reason: 'error', code: 'upload_failed' })

    const noRules = new Attachment(
      fakeMedia({
        rules: async () => {
          throw new Error('offline')
        },
      }),
    )
    await noRules.choose(file('a.png', 'image/png', 10))
    expect(noRules.file).toBeNull()
    expect(noRules.problem).toEqual({ ok: false, reason: 'error', code: 'media_rules' })
  })
})
