import { Readable } from 'node:stream'
import { storageErrors } from './errors.ts'
import type { FileStore } from './files.ts'
import type { ObjectRow } from './objects.ts'

/**
 * The object's bytes as Supabase Storage answers a download: its content type, cache control,
 * ETag and Last-Modified, streamed from disk; a single `Range: bytes=a-b` gets a 206 (media players
 * seek with it); `download` (a signed URL's `&download=`) asks for an attachment.
 */
export async function serveObject(
  files: FileStore,
  row: ObjectRow,
  request: Request,
  download: string | null,
): Promise<Response> {
  const size = Number(row.metadata?.size ?? 0)
  const range = parseRange(request.headers.get('range'), size)
  const opened = await files.open(row.bucket_id, row.version, range ?? undefined)
  if (!opened) throw storageErrors.noSuchKey()
  const headers = new Headers({
    'Content-Type': row.metadata?.mimetype ?? 'application/octet-stream',
    'Cache-Control': row.metadata?.cacheControl ?? 'no-cache',
    ETag: row.metadata?.eTag ?? '',
    'Last-Modified': new Date(row.updated_at).toUTCString(),
    'Accept-Ranges': 'bytes',
  })
  if (download !== null) {
    const filename = download || row.name.split('/').pop() || 'download'
    headers.set('Content-Disposition', `attachment; filename=${encodeURIComponent(filename)}`)
  }
  if (range) {
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${opened.size}`)
    headers.set('Content-Length', String(range.end - range.start + 1))
  } else {
    headers.set('Content-Length', String(opened.size))
  }
  if (request.method === 'HEAD') {
    opened.stream.destroy()
    return new Response(null, { status: range ? 206 : 200, headers })
  }
  const body = Readable.toWeb(opened.stream) as ReadableStream<Uint8Array>
  return new Response(body, { status: range ? 206 : 200, headers })
}

function parseRange(header: string | null, size: number): { start: number; end: number } | null {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) throw storageErrors.invalidRange()
  const start = match[1] === '' ? Math.max(0, size - Number(match[2])) : Number(match[1])
  const end = match[1] === '' || match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start > end || start >= size) throw storageErrors.invalidRange()
  return { start, end }
}
