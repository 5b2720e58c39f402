import { type Context, Hono } from 'hono'
import type { StandInEnv } from '../context.ts'
import { type ApiKeys, claimsFor, InvalidTokenError } from '../keys.ts'
import { createBucket, getBucket, listBuckets } from './buckets.ts'
import { storageErrors } from './errors.ts'
import { listObjects } from './list.ts'
import { deleteObjects, findAny, findBucket, findVisible } from './objects.ts'
import { serveObject } from './serve.ts'
import { parseExpiresIn, signObjectUrl, verifyObjectToken } from './signed-urls.ts'
import { type UploadContext, uploadObject } from './upload.ts'

export interface StorageRoutesOptions extends UploadContext {
  keys: ApiKeys
}

type StorageContext = Context<StandInEnv>

/**
 * `/storage/v1`: the part of Supabase Storage's HTTP API that storage-js uses for files in
 * buckets (see README.md beside the stand-in, Storage). The gateway has already checked the API
 * key, except for signed and public downloads, which browsers fetch without one.
 */
export function storageRoutes(options: StorageRoutesOptions): Hono<StandInEnv> {
  const { db, files, keys } = options
  const app = new Hono<StandInEnv>()
  const claims = async (c: StorageContext) => {
    try {
      return await claimsFor(c.get('bearer'), keys)
    } catch (error) {
      // Storage answers a bearer token it cannot verify with AccessDenied and jose's message.
      if (error instanceof InvalidTokenError) {
        throw storageErrors.accessDenied(
          error.cause instanceof Error ? error.cause.message : error.message,
          error,
        )
      }
      throw error
    }
  }

  app.get('/bucket', async (c) => c.json(await listBuckets(db, await claims(c))))
  app.get('/bucket/:id', async (c) => c.json(await getBucket(db, await claims(c), c.req.param('id'))))
  app.post('/bucket', async (c) => c.json(await createBucket(db, await claims(c), await jsonBody(c))))

  // Copy, move and signed or resumable uploads: refused before the object routes read them as bucket names.
  const refuse = (c: StorageContext): never => {
    throw storageErrors.notSupported(`${c.req.method} ${c.req.path}`)
  }
  for (const route of ['/object/move', '/object/copy', '/object/upload/*']) app.all(route, refuse)
  app.on(['GET', 'HEAD'], '/object/sign/*', async (c) => {
    const { bucket, name } = objectPath(c, 'object/sign/')
    const token = c.req.query('token')
    if (!token) throw storageErrors.invalidRequest("querystring must have required property 'token'")
    await verifyObjectToken(keys.jwtSecret, token, bucket, name)
    const row = await findAny(db, bucket, name)
    if (!row) throw storageErrors.noSuchKey()
    return serveObject(files, row, c.req.raw, c.req.query('download') ?? null)
  })
  app.on(['GET', 'HEAD'], '/object/public/*', async (c) => {
    const { bucket, name } = objectPath(c, 'object/public/')
    if (!(await findBucket(db, bucket))?.public) throw storageErrors.noSuchBucket()
    const row = await findAny(db, bucket, name)
    if (!row) throw storageErrors.noSuchKey()
    return serveObject(files, row, c.req.raw, c.req.query('download') ?? null)
  })
  app.get('/object/info/*', async (c) => {
    const { bucket, name } = objectPath(c, 'object/info/', /^authenticated\//)
    const row = await findVisible(db, await claims(c), bucket, name)
    if (!row) throw storageErrors.noSuchKey()
    return c.json(infoOf(row))
  })
  app.on(['GET', 'HEAD'], '/object/*', async (c) => {
    const { bucket, name } = objectPath(c, 'object/', /^authenticated\//)
    const row = await findVisible(db, await claims(c), bucket, name)
    if (!row) throw storageErrors.noSuchKey()
    return serveObject(files, row, c.req.raw, c.req.query('download') ?? null)
  })

  app.post('/object/sign/*', async (c) => {
    const rest = afterPrefix(c, 'object/sign/')
    const body = (await jsonBody(c)) as { expiresIn?: unknown; paths?: unknown }
    const expiresIn = parseExpiresIn(body.expiresIn)
    if (!rest.includes('/')) return c.json(await signMany(c, decodeSegment(rest), body.paths, expiresIn))
    const { bucket, name } = objectPath(c, 'object/sign/')
    if (!(await findVisible(db, await claims(c), bucket, name))) throw storageErrors.noSuchKey()
    return c.json({ signedURL: await signObjectUrl(keys.jwtSecret, bucket, name, expiresIn) })
  })
  const signMany = async (c: StorageContext, bucket: string, paths: unknown, expiresIn: number) => {
    if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) {
      throw storageErrors.invalidRequest('body/paths must be an array of strings')
    }
    const caller = await claims(c)
    return Promise.all(
      paths.map(async (path: string) => {
        if (await findVisible(db, caller, bucket, path)) {
          return {
            error: null,
            path,
            signedURL: await signObjectUrl(keys.jwtSecret, bucket, path, expiresIn),
          }
        }
        return {
          error: 'Either the object does not exist or you do not have access to it',
          path,
          signedURL: null,
        }
      }),
    )
  }
  app.post('/object/list/:bucket', async (c) =>
    c.json(await listObjects(db, await claims(c), decodeSegment(c.req.param('bucket')), await jsonBody(c))),
  )
  app.on(['POST', 'PUT'], '/object/*', async (c) => {
    const { bucket, name } = objectPath(c, 'object/')
    const upsert = c.req.method === 'PUT' || c.req.header('x-upsert') === 'true'
    return c.json(await uploadObject(options, await claims(c), c.req.raw, { bucket, name, upsert }))
  })
  app.delete('/object/*', async (c) => {
    const rest = afterPrefix(c, 'object/')
    const single = rest.includes('/') ? objectPath(c, 'object/') : null
    const bucket = single?.bucket ?? decodeSegment(rest)
    const names = single ? [single.name] : prefixesOf(await jsonBody(c))
    const deleted = await deleteObjects(db, await claims(c), bucket, names)
    await Promise.all(
      deleted.map((row) =>
        files.remove(bucket, row.version).catch((error: unknown) => {
          options.logger.warn({ err: error, bucket }, 'could not delete the file of a removed object')
        }),
      ),
    )
    if (single) {
      if (deleted.length === 0) throw storageErrors.noSuchKey()
      return c.json({ message: 'Successfully deleted' })
    }
    return c.json(deleted)
  })
  app.all('*', refuse)
  return app
}

/** Whether a request may reach Storage without an API key: signed and public downloads. */
export function isKeylessStorageRequest(method: string, path: string): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    (path.startsWith('/storage/v1/object/sign/') || path.startsWith('/storage/v1/object/public/'))
  )
}

/** The raw (still escaped) path after `/storage/v1/<prefix>`. */
function afterPrefix(c: StorageContext, prefix: string): string {
  const path = new URL(c.req.url).pathname
  const start = path.indexOf(`/storage/v1/${prefix}`)
  return path.slice(start + `/storage/v1/${prefix}`.length)
}

/** Bucket and object name from the URL path, unescaped segment by segment, as Storage reads them. */
function objectPath(c: StorageContext, prefix: string, skip?: RegExp): { bucket: string; name: string } {
  const rest = afterPrefix(c, prefix).replace(skip ?? /^$/, '')
  const slash = rest.indexOf('/')
  const bucket = decodeSegment(slash < 0 ? rest : rest.slice(0, slash))
  const name =
    slash < 0
      ? ''
      : rest
          .slice(slash + 1)
          .split('/')
          .map(decodeSegment)
          .join('/')
  if (!bucket) throw storageErrors.noSuchBucket()
  if (!name) throw storageErrors.invalidKey(name)
  return { bucket, name }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw storageErrors.invalidKey(segment)
  }
}

async function jsonBody(c: StorageContext): Promise<unknown> {
  const text = await c.req.text()
  if (!text) return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw storageErrors.invalidRequest('Body is not valid JSON')
  }
}

function prefixesOf(body: unknown): string[] {
  const prefixes = (body as { prefixes?: unknown }).prefixes
  if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.length > 1000) {
    throw storageErrors.invalidRequest('body/prefixes must be an array of 1 to 1000 object names')
  }
  // storage-js also accepts {path, versionId}; the stand-in keeps one version per object.
  return prefixes.map((entry: unknown) =>
    typeof entry === 'string' ? entry : String((entry as { path?: unknown }).path ?? ''),
  )
}

/** `GET /object/info/…`, the fields storage-js turns into camelCase for `info()` and `exists()`. */
function infoOf(row: Awaited<ReturnType<typeof findAny>> & {}) {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    bucket_id: row.bucket_id,
    updated_at: row.updated_at,
    created_at: row.created_at,
    last_accessed_at: row.last_accessed_at,
    size: row.metadata?.size,
    cache_control: row.metadata?.cacheControl,
    content_type: row.metadata?.mimetype,
    etag: row.metadata?.eTag,
    last_modified: row.metadata?.lastModified,
    metadata: row.metadata,
  }
}
