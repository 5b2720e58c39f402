import { z } from 'zod'
import type { Database } from '../../src/db/index.ts'
import type { Claims } from '../keys.ts'
import { StorageError, storageErrors } from './errors.ts'
import { asCaller } from './objects.ts'

const BUCKET_COLUMNS =
  'id, name, owner, public, file_size_limit::float8 as file_size_limit, allowed_mime_types, type, created_at, updated_at'

/** `GET /bucket`: the buckets the caller may see (RLS on storage.buckets; the service role sees all). */
export async function listBuckets(db: Database, claims: Claims): Promise<unknown[]> {
  const { rows } = await asCaller(db, claims, (tx) =>
    tx.query(`select ${BUCKET_COLUMNS} from storage.buckets order by name`),
  )
  return rows
}

/** `GET /bucket/{id}`. */
export async function getBucket(db: Database, claims: Claims, id: string): Promise<unknown> {
  const { rows } = await asCaller(db, claims, (tx) =>
    tx.query(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [id]),
  )
  if (!rows[0]) throw storageErrors.noSuchBucket()
  return rows[0]
}

const createBody = z.object({
  id: z.string().optional(),
  name: z.string().min(1),
  public: z.boolean().default(false),
  file_size_limit: z.union([z.number().int().min(0), z.string(), z.null()]).optional(),
  allowed_mime_types: z.array(z.string()).nullable().optional(),
})

/** `POST /bucket` (storage-js createBucket): inserted as the caller, so RLS decides; answers `{name}`. */
export async function createBucket(db: Database, claims: Claims, body: unknown): Promise<{ name: string }> {
  const parsed = createBody.safeParse(body)
  if (!parsed.success)
    throw storageErrors.invalidRequest(
      `body/${parsed.error.issues[0]?.path.join('/')}: ${parsed.error.issues[0]?.message}`,
    )
  const bucket = parsed.data
  const id = bucket.id ?? bucket.name
  if (!/^(\w|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)+$/.test(id) || id === '.' || id === '..') {
    throw new StorageError(400, 'InvalidBucketName', 'Bucket name invalid', 'Invalid Input')
  }
  try {
    await asCaller(db, claims, (tx) =>
      tx.query(
        `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
         values ($1, $2, $3::uuid, $4, $5, $6, $7)`,
        [
          id,
          bucket.name,
          null,
          typeof claims.sub === 'string' ? claims.sub : null,
          bucket.public,
          parseSizeLimit(bucket.file_size_limit),
          bucket.allowed_mime_types?.length ? bucket.allowed_mime_types : null,
        ],
      ),
    )
  } catch (error) {
    if (error instanceof StorageError && error.code === 'ResourceAlreadyExists') {
      throw storageErrors.alreadyExists('BucketAlreadyExists')
    }
    throw error
  }
  return { name: id }
}

// Storage takes a byte count or a size with a unit ("20MB"); units count in 1024s.
function parseSizeLimit(value: number | string | null | undefined): number | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'number') return value
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(value.trim())
  if (!match)
    throw storageErrors.invalidRequest('Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B')
  const unit = (match[2] ?? 'B').toUpperCase()
  const factor = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit as 'B' | 'KB' | 'MB' | 'GB']
  return Math.round(Number(match[1]) * factor)
}
