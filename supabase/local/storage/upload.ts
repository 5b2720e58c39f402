import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Database } from '../../src/db/index.ts'
import type { Claims } from '../keys.ts'
import { storageErrors } from './errors.ts'
import type { FileStore, ReceivedFile } from './files.ts'
import { findBucket, type ObjectMetadata, testWrite, writeObject } from './objects.ts'
import { readUploadBody } from './upload-body.ts'

export interface UploadContext {
  db: Database
  files: FileStore
  logger: Logger
  /** The server-wide cap (Storage's FILE_SIZE_LIMIT); a bucket's own limit can only be lower. */
  maxFileSize: number
}

/**
 * `POST /object/{bucket}/{name}` (upsert only with `x-upsert: true`) and `PUT` (always an
 * upsert), in Supabase Storage's order: the bucket must exist, the caller must be allowed to
 * write the row (tried as the caller and rolled back), the type must be in the bucket's
 * allow-list, then the body is streamed to disk within the size limit, and finally row and file
 * are committed together. A refusal at any step leaves neither a row nor a file.
 */
export async function uploadObject(
  context: UploadContext,
  claims: Claims,
  request: Request,
  target: { bucket: string; name: string; upsert: boolean },
): Promise<{ Id: string; Key: string }> {
  const { db, files } = context
  const bucket = await findBucket(db, target.bucket)
  if (!bucket) throw storageErrors.noSuchBucket()
  const version = randomUUID()
  await testWrite(db, claims, { ...target, version })
  const body = await readUploadBody(request)
  const limit = Math.min(context.maxFileSize, bucket.file_size_limit ?? Number.POSITIVE_INFINITY)
  if (!mimeTypeAllowed(body.contentType, bucket.allowed_mime_types)) {
    body.stream.resume()
    throw storageErrors.invalidMimeType(body.contentType)
  }
  if (body.declaredSize !== undefined && body.declaredSize > limit) {
    body.stream.resume()
    throw storageErrors.entityTooLarge()
  }
  const received = await files.receive(body.stream, limit)
  try {
    await body.finished
    const metadata = metadataOf(received, body.contentType, body.cacheControl)
    const { id, replaced } = await writeObject(db, claims, { ...target, version, metadata }, () =>
      files.place(received, target.bucket, version),
    )
    if (replaced) {
      await files.remove(target.bucket, replaced).catch((error: unknown) => {
        context.logger.warn(
          { err: error, bucket: target.bucket },
          'could not delete a replaced object version',
        )
      })
    }
    return { Id: id, Key: `${target.bucket}/${target.name}` }
  } catch (error) {
    await files.discard(received.tempPath)
    await files.remove(target.bucket, version)
    throw error
  }
}

/**
 * Storage's check: no allow-list allows everything; otherwise the type's top level must match and
 * its subtype must match or be `*` (`image/*`). The comparison is on the type as sent, parameters
 * included, as Storage does it.
 */
export function mimeTypeAllowed(contentType: string, allowed: string[] | null): boolean {
  if (!allowed || allowed.length === 0) return true
  const [type, subtype] = contentType.split('/')
  return allowed.some((entry) => {
    const [allowedType, allowedSubtype] = entry.split('/')
    return allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype)
  })
}

function metadataOf(received: ReceivedFile, mimetype: string, cacheControl: string): ObjectMetadata {
  return {
    eTag: `"${received.md5}"`,
    size: received.size,
    mimetype,
    cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: received.size,
    httpStatusCode: 200,
  }
}
