import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
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
 * Evaluates a visibility expression for many subscribers of one role on one row, in one round
 * trip, switching to each subscriber's role and claims in turn as Supabase's apply_rls does.
 * Each distinct expression is compiled once into a plpgsql function in the realtime schema, so
 * Postgres keeps its plan (a dynamic EXECUTE would plan it for every subscriber, about three
 * times slower); when compiling fails, realtime.visible_to (bootstrap.sql) runs it dynamically.
 * Any error for a subscriber counts as not visible.
 */
export class VisibilityChecks {
  private readonly compiled = new Map<string, Promise<string | null>>()

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  async evaluate(
    info: TableInfo,
    visibility: Visibility,
    row: Record<string, unknown>,
    claims: Claims[],
  ): Promise<boolean[]> {
    if (typeof visibility === 'boolean') return claims.map(() => visibility)
    const fn = await this.compile(info, visibility)
    const roles = claims.map((c) => c.role)
    const claimsText = claims.map((c) => JSON.stringify(c))
    const rowText = JSON.stringify(row)
    return rolledBack(this.db, async (tx) => {
      const result = fn
        ? await tx.query<{ visible: boolean[] }>(
            `select realtime.${fn}($1::jsonb, $2::text[], $3::text[]) as visible`,
            [rowText, roles, claimsText],
          )
        : await tx.query<{ visible: boolean[] }>(
            'select realtime.visible_to($1, $2::jsonb, $3::text[], $4::text[]) as visible',
            [checkQuery(info, visibility, '$1'), rowText, roles, claimsText],
          )
      return result.rows[0]?.visible ?? claims.map(() => false)
    }).catch(() => claims.map(() => false))
  }

  private compile(info: TableInfo, expression: string): Promise<string | null> {
    const name = `rls_check_${createHash('md5').update(`${info.sqlName}\n${expression}`).digest('hex').slice(0, 24)}`
    let compiled = this.compiled.get(name)
    if (!compiled) {
      compiled = Promise.resolve()
        .then(() => this.db.exec(compiledCheck(name, info, expression)))
        .then(
          () => name,
          (error: unknown) => {
            this.log.warn(
              { err: error, table: info.sqlName },
              'policy check not compiled; evaluating it dynamically',
            )
            return null
          },
        )
      this.compiled.set(name, compiled)
    }
    return compiled
  }
}

// Aliasing the record as the table's own name lets the policy's column references resolve.
function checkQuery(info: TableInfo, expression: string, row: string): string {
  return `select coalesce(${expression}, false) from jsonb_populate_record(null::${info.sqlName}, ${row}) as ${quoteIdent(info.table)}`
}

function compiledCheck(name: string, info: TableInfo, expression: string): string {
  if (expression.includes('$rls_check$')) throw new Error('policy text contains the function delimiter')
  // Columns win over the function's variables (#variable_conflict), and the variables have
  // names no policy is likely to use.
  const become = `perform set_config('role', _rls_roles[_rls_i], true),
        set_config('request.jwt.claims', _rls_claims[_rls_i], true),
        set_config('request.jwt.claim.role', _rls_roles[_rls_i], true),
        set_config('request.jwt.claim.sub', coalesce(_rls_claims[_rls_i]::jsonb ->> 'sub', ''), true);
      _rls_visible := (${checkQuery(info, expression, '_rls_row')});`
  return `create or replace function realtime.${name}(_rls_row jsonb, _rls_roles text[], _rls_claims text[])
returns boolean[] language plpgsql as $rls_check$
#variable_conflict use_column
declare
  _rls_result boolean[] := '{}';
  _rls_visible boolean;
begin
  begin
    for _rls_i in 1 .. coalesce(array_length(_rls_roles, 1), 0) loop
      ${become}
      _rls_result := _rls_result || coalesce(_rls_visible, false);
    end loop;
    return _rls_result;
  exception when others then
    _rls_result := '{}';
  end;
  for _rls_i in 1 .. coalesce(array_length(_rls_roles, 1), 0) loop
    begin
      ${become}
    exception when others then
      _rls_visible := false;
    end;
    _rls_result := _rls_result || coalesce(_rls_visible, false);
  end loop;
  return _rls_result;
end
$rls_check$;
revoke execute on function realtime.${name}(jsonb, text[], text[]) from public;`
}
