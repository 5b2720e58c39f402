import { PassThrough, Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { Busboy } from '@fastify/busboy'
import { storageErrors } from './errors.ts'

/** The file of an upload request, its stream not read yet. */
export interface UploadBody {
  stream: Readable
  contentType: string
  cacheControl: string
  /** Declared size when the client sent Content-Length for a raw body (lets a too-large upload fail at once). */
  declaredSize: number | undefined
  /** Settles when the whole request was read (for multipart: the parts after the file too). */
  finished: Promise<void>
}

/**
 * Reads an upload as Supabase Storage does: a raw body whose Content-Type is the object's, or
 * multipart/form-data (what storage-js sends for a Blob or File) whose fields come first
 * (`cacheControl`, `metadata`, `contentEncoding`) and whose file part, under any field name
 * (storage-js uses the empty name), carries the type. Resolves when the file part begins, so the
 * caller can check type and permissions before reading a byte of it.
 */
export function readUploadBody(request: Request): Promise<UploadBody> {
  const source = request.body
    ? Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>)
    : Readable.from([])
  const type = request.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data/i.test(type)) {
    const length = request.headers.get('content-length')
    return Promise.resolve({
      stream: source,
      contentType: type || 'text/plain;charset=UTF-8',
      cacheControl: request.headers.get('cache-control') ?? 'no-cache',
      declaredSize: length === null ? undefined : Number(length),
      finished: Promise.resolve(),
    })
  }
  return readMultipart(source, type)
}

function readMultipart(source: Readable, contentType: string): Promise<UploadBody> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>()
    let sawFile = false
    let finish: () => void = () => {}
    let fail: (error: unknown) => void = () => {}
    const finished = new Promise<void>((resolveFinished, rejectFinished) => {
      finish = resolveFinished
      fail = rejectFinished
    })
    // Handled by whoever awaits it; until then an early failure must not be an unhandled rejection.
    finished.catch(() => {})
    const parser = Busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fields: 20 } })
    parser.on('field', (name, value) => fields.set(name, value))
    parser.on('file', (_name, stream, _filename, _encoding, mimeType) => {
      sawFile = true
      // busboy stops reading the request until this stream is consumed; the pass-through lets the
      // caller decide when (after its checks) and see a request error as a stream error.
      const file = new PassThrough()
      stream.on('error', (error) => file.destroy(error))
      stream.pipe(file)
      const cacheControl = fields.get('cacheControl')
      resolve({
        stream: file,
        contentType: mimeType || 'application/octet-stream',
        cacheControl: cacheControl ? `max-age=${cacheControl}` : 'no-cache',
        declaredSize: undefined,
        finished,
      })
    })
    parser.on('finish', () => {
      if (!sawFile) reject(storageErrors.invalidRequest('No content provided'))
      finish()
    })
    parser.on('error', (error) => {
      const wrapped = storageErrors.invalidRequest(
        `Malformed multipart body: ${String((error as Error).message)}`,
      )
      if (!sawFile) reject(wrapped)
      fail(wrapped)
    })
    source.on('error', (error) => parser.destroy(error))
    source.pipe(parser)
  })
}
