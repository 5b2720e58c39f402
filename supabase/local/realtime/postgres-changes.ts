import type { Logger } from 'pino'
import { z } from 'zod'
import type { Database } from '../../src/db/index.ts'
import type { Claims } from '../keys.ts'
import { becomeUser } from './channel-auth.ts'
import { type ChangeEvent, matchesConditions, type PgBinding } from './filters.ts'
import { type ChannelJoin, type Hub, push } from './hub.ts'
import { quoteIdent, type TableCatalog, type TableInfo } from './tables.ts'

/** What realtime.capture_change() NOTIFYs on 'realtime_changes' (see supabase/sql/bootstrap.sql). */
const changeNotice = z.object({
  schema: z.string(),
  table: z.string(),
  type: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  pk: z.record(z.string(), z.unknown()).nullable().optional(),
  old: z.record(z.string(), z.unknown()).optional(),
  oversized: z.boolean().optional(),
})
type ChangeNotice = z.infer<typeof changeNotice>

/**
 * Delivers captured row changes to postgres_changes subscribers. Each change is authorized per
 * subscriber, as Supabase does: the new row is read by primary key with the subscriber's role
 * and claims, so RLS and grants decide, and the row read is the `record` sent. Subscribers with
 * identical claims share one read. Changes are handled one at a time, in commit order.
 */
export class PostgresChanges {
  private queue: Promise<void> = Promise.resolve()
  private hooked = new Set<string>()
  private superuser = false

  constructor(
    private readonly db: Database,
    private readonly hub: Hub,
    private readonly tables: TableCatalog,
    private readonly log: Logger,
  ) {}

  async start(): Promise<() => Promise<void>> {
    const role = await this.db.query<{ rolsuper: boolean }>(
      'select rolsuper from pg_catalog.pg_roles where rolname = current_user',
    )
    this.superuser = role.rows[0]?.rolsuper === true
    await this.syncTriggers()
    return this.db.listen('realtime_changes', (payload) => {
      const commitTimestamp = new Date().toISOString()
      this.queue = this.queue
        .then(() => this.dispatch(payload, commitTimestamp))
        .catch((error: unknown) => this.log.error({ err: error }, 'postgres_changes dispatch failed'))
    })
  }

  /** Hooks every table of the publication; returns the published tables as `schema.table`. */
  async syncTriggers(): Promise<void> {
    const result = await this.db.query<{ name: string }>('select realtime.sync_capture_triggers() as name')
    this.hooked = new Set(result.rows.map((row) => row.name))
  }

  /** A join names a table that was added to the publication since the last sync: hook it now. */
  async ensureHooked(bindings: PgBinding[]): Promise<void> {
    const missing = bindings.some((b) => b.table && b.table !== '*' && !this.hooked.has(`${b.schema}.${b.table}`))
    if (missing) await this.syncTriggers()
  }

  private async dispatch(payload: string, commitTimestamp: string): Promise<void> {
    const parsed = changeNotice.safeParse(JSON.parse(payload))
    if (!parsed.success) return void this.log.warn('ignored a malformed change notice')
    const change = parsed.data
    const subscribers = this.subscribersOf(change)
    if (subscribers.length === 0) return
    if (change.oversized || !change.pk) {
      return void this.log.warn({ table: `${change.schema}.${change.table}` }, 'change without a usable primary key not delivered')
    }
    const info = await this.tables.fresh(change.schema, change.table, change.old)
    if (!info) return
    const visible = new Map<string, Promise<Record<string, unknown> | null>>()
    const rowFor = (claims: Claims) => {
      const key = JSON.stringify(claims)
      let row = visible.get(key)
      if (!row) visible.set(key, (row = this.visibleRow(info, change, claims)))
      return row
    }
    const rows = await Promise.all(subscribers.map(({ join }) => rowFor(join.claims)))
    const columnsInfo = change.type === 'DELETE' ? info : await this.tables.fresh(change.schema, change.table, rows.find(Boolean) ?? undefined)
    const columns = (columnsInfo ?? info).columns
    subscribers.forEach(({ join, bindings }, index) => {
      const row = rows[index]
      if (!row || !this.hub.isCurrent(join)) return
      const ids = bindings.filter((b) => matchesConditions(b.conditions, row, info.types)).map((b) => b.id)
      if (ids.length === 0) return
      const data: Record<string, unknown> = {
        schema: change.schema,
        table: change.table,
        commit_timestamp: commitTimestamp,
        type: change.type,
        columns,
        errors: null,
      }
      if (change.type !== 'DELETE') data.record = row
      if (change.type !== 'INSERT') data.old_record = this.oldRecord(info, change)
      push(join, 'postgres_changes', { ids, data })
    })
  }

  private subscribersOf(change: ChangeNotice): { join: ChannelJoin; bindings: PgBinding[] }[] {
    const found: { join: ChannelJoin; bindings: PgBinding[] }[] = []
    for (const join of this.hub.all()) {
      const bindings = join.bindings.filter(
        (b) =>
          (b.schema === change.schema || b.schema === '*') &&
          (b.table === undefined || b.table === '*' || b.table === change.table) &&
          (b.event === '*' || b.event === (change.type as ChangeEvent)),
      )
      if (bindings.length > 0) found.push({ join, bindings })
    }
    return found
  }

  /** Supabase sends the old row in full only under REPLICA IDENTITY FULL, and never for DELETE under RLS. */
  private oldRecord(info: TableInfo, change: ChangeNotice): Record<string, unknown> {
    if (change.old && !(change.type === 'DELETE' && info.rowSecurity)) return change.old
    return change.pk ?? {}
  }

  private pkCondition(info: TableInfo): string {
    return info.primaryKey
      .map((c) => `t.${quoteIdent(c)} = (jsonb_populate_record(null::${info.sqlName}, $1::jsonb)).${quoteIdent(c)}`)
      .join(' and ')
  }

  /**
   * The row as this subscriber may see it, or null. For INSERT/UPDATE: the row read by primary
   * key as the subscriber. For DELETE the row is gone, so it is put back inside a transaction
   * that always rolls back and read as the subscriber: stricter than Supabase, which sends
   * DELETEs of RLS tables (primary key only) to every subscriber.
   */
  private async visibleRow(info: TableInfo, change: ChangeNotice, claims: Claims): Promise<Record<string, unknown> | null> {
    if (info.primaryKey.length === 0) return null
    const where = this.pkCondition(info)
    const pk = JSON.stringify(change.pk)
    if (change.type !== 'DELETE') {
      return this.db
        .transaction(async (tx) => {
          await becomeUser(tx, claims)
          const result = await tx.query<{ record: Record<string, unknown> }>(
            `select to_jsonb(t) as record from ${info.sqlName} t where ${where}`,
            [pk],
          )
          return result.rows[0]?.record ?? null
        })
        .catch(() => null)
    }
    const old = change.old
    if (!old) return null
    const columns = info.insertable.map(quoteIdent).join(', ')
    const rollback = new Error('rollback')
    let seen = false
    await this.db
      .transaction(async (tx) => {
        if (this.superuser) await tx.query("set local session_replication_role = 'replica'")
        await tx.query(
          `insert into ${info.sqlName} (${columns}) overriding system value
           select ${columns} from jsonb_populate_record(null::${info.sqlName}, $1::jsonb)`,
          [JSON.stringify(old)],
        )
        await becomeUser(tx, claims)
        seen = (await tx.query(`select 1 from ${info.sqlName} t where ${where}`, [pk])).rows.length > 0
        throw rollback
      })
      .catch((error: unknown) => {
        if (error !== rollback) this.log.debug({ err: error }, 'DELETE visibility check failed; not delivered')
      })
    return seen ? old : null
  }
}
