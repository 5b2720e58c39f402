import type { Database } from '../../src/db/index.ts'
import type { Claims } from '../keys.ts'
import { rolledBack } from './channel-auth.ts'
import { quoteIdent, type TableInfo } from './tables.ts'

/** What a role may see of a table: nothing, everything, or rows passing a policy expression. */
export type Visibility = false | true | string

interface PolicyRow {
  can_select: boolean
  row_security: boolean
  bypass: boolean
  permissive: string[] | null
  restrictive: string[] | null
}

/**
 * Decides whether a subscriber may see a captured row, as Supabase's apply_rls does for each
 * subscriber: the table's SELECT grant and its SELECT policies for the subscriber's role,
 * evaluated with the subscriber's role and claims. The policies are evaluated on the row as it
 * was captured (not on the live table), so later writes and deletes cannot change who sees an
 * event, and a DELETE is checked against the deleted row.
 */
export async function visibilityFor(db: Database, info: TableInfo, role: string): Promise<Visibility> {
  const result = await db.query<PolicyRow>(
    `select pg_catalog.has_table_privilege($1::text, c.oid, 'SELECT') as can_select,
            c.relrowsecurity as row_security,
            coalesce((select r.rolbypassrls from pg_catalog.pg_roles r where r.rolname = $1), false) as bypass,
            (select array_agg(coalesce(p.qual, 'true')) from pg_catalog.pg_policies p
              where p.schemaname = $2 and p.tablename = $3 and p.cmd in ('SELECT', 'ALL')
                and p.permissive = 'PERMISSIVE' and p.roles && array['public', $1]::name[]) as permissive,
            (select array_agg(coalesce(p.qual, 'true')) from pg_catalog.pg_policies p
              where p.schemaname = $2 and p.tablename = $3 and p.cmd in ('SELECT', 'ALL')
                and p.permissive = 'RESTRICTIVE' and p.roles && array['public', $1]::name[]) as restrictive
       from pg_catalog.pg_class c where c.oid = to_regclass($4)`,
    [role, info.schema, info.table, info.sqlName],
  )
  const row = result.rows[0]
  if (!row?.can_select) return false
  if (!row.row_security || row.bypass) return true
  if (!row.permissive?.length) return false
  const anyOf = row.permissive.map((qual) => `(${qual})`).join(' or ')
  const allOf = (row.restrictive ?? []).map((qual) => ` and (${qual})`).join('')
  return `(${anyOf})${allOf}`
}

/**
 * Policies looked up per table and role, kept for a second: a change then costs one catalog
 * query per second per role instead of one per change. A policy edited by a migration takes
 * effect for realtime within that second.
 */
export class PolicyCache {
  private readonly entries = new Map<string, { at: number; visibility: Promise<Visibility> }>()

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 1_000,
  ) {}

  visibility(info: TableInfo, role: string): Promise<Visibility> {
    const key = `${info.sqlName}:${role}`
    const entry = this.entries.get(key)
    if (entry && Date.now() - entry.at < this.ttlMs) return entry.visibility
    const visibility = visibilityFor(this.db, info, role)
    this.entries.set(key, { at: Date.now(), visibility })
    visibility.catch(() => this.entries.delete(key))
    return visibility
  }
}

/**
 * Evaluates the visibility for many subscribers of one role on one row, in one round trip
 * (realtime.visible_to in supabase/sql/bootstrap.sql switches to each subscriber's role and
 * claims in turn). Any error for a subscriber counts as not visible.
 */
export async function visibleToEach(
  db: Database,
  info: TableInfo,
  visibility: Visibility,
  row: Record<string, unknown>,
  claims: Claims[],
): Promise<boolean[]> {
  if (typeof visibility === 'boolean') return claims.map(() => visibility)
  // Aliasing the record as the table's own name lets the policy's column references resolve.
  const sql = `select coalesce(${visibility}, false)
                 from jsonb_populate_record(null::${info.sqlName}, $1::jsonb) as ${quoteIdent(info.table)}`
  return rolledBack(db, async (tx) => {
    const result = await tx.query<{ visible: boolean[] }>(
      'select realtime.visible_to($1, $2::jsonb, $3::text[], $4::text[]) as visible',
      [sql, JSON.stringify(row), claims.map((c) => c.role), claims.map((c) => JSON.stringify(c))],
    )
    return result.rows[0]?.visible ?? claims.map(() => false)
  }).catch(() => claims.map(() => false))
}
