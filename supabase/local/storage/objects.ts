import type { Database, Queryable } from '../../src/db/index.ts'
import { asRole } from '../as-role.ts'
import type { Claims } from '../keys.ts'
import { fromDatabaseError } from './errors.ts'

/** What Supabase Storage keeps in `storage.objects.metadata`. */
export interface ObjectMetadata {
  eTag: string
  size: number
  mimetype: string
  cacheControl: string
  lastModified: string
  contentLength: number
  httpStatusCode: number
}

export interface ObjectRow {
  id: string
  bucket_id: string
  name: string
  owner: string | null
  owner_id: string | null
  version: string
  metadata: ObjectMetadata
  user_metadata: unknown
  created_at: string
  updated_at: string
  last_accessed_at: string
}

export interface BucketLimits {
  id: string
  public: boolean
  file_size_limit: number | null
  allowed_mime_types: string[] | null
}

const OBJECT_COLUMNS =
  'id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at, last_accessed_at'

/**
 * Runs a storage statement as the request's role with its claims (RLS decides, exactly as for
 * /rest/v1), turning Postgres refusals into Storage's errors.
 */
export async function asCaller<T>(
  db: Database,
  claims: Claims,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  try {
    return await asRole(db, claims, fn)
  } catch (error) {
    throw fromDatabaseError(error)
  }
}

/** Storage reads bucket settings with its own (superuser) connection, whoever asks. */
export async function findBucket(db: Database, id: string): Promise<BucketLimits | undefined> {
  const { rows } = await db.query<BucketLimits>(
    'select id, public, file_size_limit::float8 as file_size_limit, allowed_mime_types from storage.buckets where id = $1',
    [id],
  )
  return rows[0]
}

/** The object row as the caller may see it (RLS), or undefined. */
export async function findVisible(
  db: Database,
  claims: Claims,
  bucket: string,
  name: string,
): Promise<ObjectRow | undefined> {
  const { rows } = await asCaller(db, claims, (tx) =>
    tx.query<ObjectRow>(`select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2`, [
      bucket,
      name,
    ]),
  )
  return rows[0]
}

/** The object row whatever the caller (a signed URL already carries the permission). */
export async function findAny(db: Database, bucket: string, name: string): Promise<ObjectRow | undefined> {
  const { rows } = await db.query<ObjectRow>(
    `select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2`,
    [bucket, name],
  )
  return rows[0]
}

export interface ObjectWrite {
  bucket: string
  name: string
  upsert: boolean
  version: string
  metadata: ObjectMetadata | null
}

/**
 * Inserts (or, when upserting, inserts or updates) the object row as the caller. Returns the row
 * id and the version it replaced. `beforeCommit` runs inside the transaction after the row is
 * written (it places the file), so a refused write leaves no file and a failed move leaves no row.
 */
export async function writeObject(
  db: Database,
  claims: Claims,
  write: ObjectWrite,
  beforeCommit: () => Promise<void> = async () => {},
): Promise<{ id: string; replaced: string | null }> {
  const owner = typeof claims.sub === 'string' ? claims.sub : null
  return asCaller(db, claims, async (tx) => {
    const previous = write.upsert
      ? (
          await tx.query<{ version: string | null }>(
            'select version from storage.objects where bucket_id = $1 and name = $2',
            [write.bucket, write.name],
          )
        ).rows[0]
      : undefined
    const upsert = write.upsert
      ? `on conflict (bucket_id, name) do update set version = excluded.version, metadata = excluded.metadata,
           owner = excluded.owner, owner_id = excluded.owner_id, updated_at = now(), last_accessed_at = now()`
      : ''
    const { rows } = await tx.query<{ id: string }>(
      `insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata)
       values ($1, $2, $3::uuid, $4, $5, $6::jsonb) ${upsert} returning id`,
      [
        write.bucket,
        write.name,
        isUuid(owner) ? owner : null,
        owner,
        write.version,
        write.metadata === null ? null : JSON.stringify(write.metadata),
      ],
    )
    await beforeCommit()
    return { id: rows[0]?.id ?? '', replaced: previous?.version ?? null }
  })
}

class Rollback extends Error {}

/**
 * Supabase's `canUpload`: the insert (or upsert) is tried as the caller and rolled back, so a
 * refusal is known before a byte of the body is read.
 */
export async function testWrite(
  db: Database,
  claims: Claims,
  write: Omit<ObjectWrite, 'metadata'>,
): Promise<void> {
  try {
    await writeObject(db, claims, { ...write, metadata: null }, async () => {
      throw new Rollback()
    })
  } catch (error) {
    if (!(error instanceof Rollback)) throw error
  }
}

/** Deletes the named objects the caller may delete (RLS), returning their rows. */
export async function deleteObjects(
  db: Database,
  claims: Claims,
  bucket: string,
  names: string[],
): Promise<ObjectRow[]> {
  const { rows } = await asCaller(db, claims, (tx) =>
    tx.query<ObjectRow>(
      `delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning ${OBJECT_COLUMNS}`,
      [bucket, names],
    ),
  )
  return rows
}

function isUuid(value: string | null): value is string {
  return value !== null && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
}
