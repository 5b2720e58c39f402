import { z } from 'zod'
import type { Database } from '../../src/db/index.ts'
import type { Claims } from '../keys.ts'
import { storageErrors } from './errors.ts'
import { asCaller } from './objects.ts'

const listBody = z.object({
  prefix: z.string().default(''),
  limit: z.number().int().min(1).default(100),
  offset: z.number().int().min(0).default(0),
  search: z.string().default(''),
  sortBy: z
    .object({
      column: z.enum(['name', 'updated_at', 'created_at', 'last_accessed_at']).default('name'),
      order: z.enum(['asc', 'desc']).default('asc'),
    })
    .default({ column: 'name', order: 'asc' }),
})

export interface ListedEntry {
  name: string
  id: string | null
  updated_at: string | null
  created_at: string | null
  last_accessed_at: string | null
  metadata: unknown
}

/**
 * `POST /object/list/{bucket}`: one folder level under `prefix`, as Supabase's `storage.search`
 * answers it: the sub-folders first (`id: null`), then the objects, each by its last name segment,
 * with `search` as a case-insensitive name prefix. It runs as the caller, so a folder shows only
 * when the caller may see an object in it.
 */
export async function listObjects(
  db: Database,
  claims: Claims,
  bucket: string,
  body: unknown,
): Promise<ListedEntry[]> {
  const parsed = listBody.safeParse(body ?? {})
  if (!parsed.success)
    throw storageErrors.invalidRequest(
      `body/${parsed.error.issues[0]?.path.join('/')}: ${parsed.error.issues[0]?.message}`,
    )
  const { limit, offset, search, sortBy } = parsed.data
  const prefix =
    parsed.data.prefix && !parsed.data.prefix.endsWith('/') ? `${parsed.data.prefix}/` : parsed.data.prefix
  const level = prefix.split('/').length
  // Column and order come from the enums above, never from the request text.
  const order = `${sortBy.column === 'name' ? 'path_tokens[$4] collate "C"' : sortBy.column} ${sortBy.order}`
  const { rows } = await asCaller(db, claims, (tx) =>
    tx.query<ListedEntry>(
      `with matching as (
         select * from storage.objects where bucket_id = $1 and name ilike $2 || $3 || '%'
       ), folders as (
         select path_tokens[$4] as folder from matching
          where array_length(path_tokens, 1) <> $4 group by folder
       )
       (select folder as name, null::uuid as id, null::timestamptz as updated_at, null::timestamptz as created_at,
               null::timestamptz as last_accessed_at, null::jsonb as metadata
          from folders order by folder collate "C" ${sortBy.order})
       union all
       (select path_tokens[$4] as name, id, updated_at, created_at, last_accessed_at, metadata
          from matching where array_length(path_tokens, 1) = $4 order by ${order})
       limit $5 offset $6`,
      [bucket, prefix, search, level, limit, offset],
    ),
  )
  return rows
}
