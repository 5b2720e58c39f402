import type { Logger } from 'pino'
import { z } from 'zod'
import type { Database } from '../../src/db/index.ts'
import type { Claims } from '../keys.ts'
import { type ChangeEvent, matchesConditions, type PgBinding } from './filters.ts'
import type { ChannelJoin, Hub } from './hub.ts'
import { PolicyCache, VisibilityChecks } from './row-visibility.ts'
import { quoteIdent, type TableCatalog, type TableInfo } from './tables.ts'

/** What realtime.capture_change() NOTIFYs on 'realtime_changes' (see supabase/sql/bootstrap.sql). */
const changeNotice = z.object({
  schema: z.string(),
  table: z.string(),
  type: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  pk: z.record(z.string(), z.unknown()).nullable().optional(),
  record: z.record(z.string(), z.unknown()).optional(),
  old: z.record(z.string(), z.unknown()).optional(),
  oversized: z.boolean().optional(),
})
type ChangeNotice = z.infer<typeof changeNotice>

/**
 * Delivers captured row changes to postgres_changes subscribers, one change at a time in commit
 * order. Each change is authorized per subscriber, as Supabase does (see row-visibility.ts);
 * subscribers with identical claims share one evaluation. Filters are applied to the captured
 * row; for DELETE that is the old row, which Supabase cannot filter on (documented in README).
 */
export class PostgresChanges {
  private queue: Promise<void> = Promise.resolve()
  private hooked = new Set<string>()
  private readonly policies: PolicyCache
  private readonly checks: VisibilityChecks

  constructor(
    private readonly db: Database,
    private readonly hub: Hub,
    private readonly tables: TableCatalog,
    private readonly log: Logger,
  ) {
    this.policies = new PolicyCache(db)
    this.checks = new VisibilityChecks(db, log)
  }

  async start(): Promise<() => Promise<void>> {
    await this.syncTriggers()
    return this.db.listen('realtime_changes', (payload) => {
      const commitTimestamp = new Date().toISOString()
      const at = this.hub.tick()
      // Changes are authorized concurrently (a real Postgres checks several at once on its pool)
      // but delivered strictly in the order they were committed.
      const prepared = this.prepare(payload, commitTimestamp, at).catch((error: unknown) => {
        this.log.error({ err: error }, 'postgres_changes dispatch failed')
        return undefined
      })
      this.queue = this.queue.then(async () => (await prepared)?.())
    })
  }

  /** Hooks every table of the publication; returns the published tables as `schema.table`. */
  async syncTriggers(): Promise<void> {
    const result = await this.db.query<{ name: string }>('select realtime.sync_capture_triggers() as name')
    this.hooked = new Set(result.rows.map((row) => row.name))
  }

  /** A join names a table that was added to the publication since the last sync: hook it now. */
  async ensureHooked(bindings: PgBinding[]): Promise<void> {
    const missing = bindings.some(
      (b) => b.table && b.table !== '*' && !this.hooked.has(`${b.schema}.${b.table}`),
    )
    if (missing) await this.syncTriggers()
  }

  private async prepare(
    payload: string,
    commitTimestamp: string,
    at: number,
  ): Promise<(() => void) | undefined> {
    const parsed = changeNotice.safeParse(JSON.parse(payload))
    if (!parsed.success) return void this.log.warn('ignored a malformed change notice')
    const change = parsed.data
    const subscribers = this.subscribersOf(change, at)
    if (subscribers.length === 0) return
    const table = `${change.schema}.${change.table}`
    if (change.oversized || !change.pk) {
      return void this.log.warn({ table }, 'change without a usable primary key not delivered')
    }
    const row = change.type === 'DELETE' ? change.old : (change.record ?? (await this.readBack(change)))
    if (!row)
      return void this.log.warn(
        { table, type: change.type },
        'row too large to capture and gone; change not delivered',
      )
    const info = await this.tables.fresh(change.schema, change.table, row)
    if (!info) return
    const visible = await this.authorize(
      info,
      row,
      subscribers.map(({ join }) => join.claims),
    )
    // Same data for every subscriber: serialize it once and splice in each join's topic and ids.
    const data = JSON.stringify({
      schema: change.schema,
      table: change.table,
      commit_timestamp: commitTimestamp,
      type: change.type,
      columns: info.columns,
      ...(change.type !== 'DELETE' ? { record: row } : {}),
      ...(change.type !== 'INSERT' ? { old_record: this.oldRecord(info, change) } : {}),
      errors: null,
    })
    return () =>
      subscribers.forEach(({ join, bindings }, index) => {
        if (!visible[index] || !this.hub.isCurrent(join)) return
        const ids = bindings.filter((b) => matchesConditions(b.conditions, row, info.types)).map((b) => b.id)
        if (ids.length === 0) return
        join.conn.send(
          `[null,null,${JSON.stringify(join.topic)},"postgres_changes",{"ids":${JSON.stringify(ids)},"data":${data}}]`,
        )
      })
  }

  /**
   * One policy lookup and one evaluation round trip per role among the subscribers; subscribers
   * with identical claims share a result. Returns a decision per subscriber, in order.
   */
  private async authorize(
    info: TableInfo,
    row: Record<string, unknown>,
    claims: Claims[],
  ): Promise<boolean[]> {
    const keys = claims.map((c) => JSON.stringify(c))
    const decided = new Map<string, boolean>()
    const roles = new Set(claims.map((c) => c.role))
    for (const role of roles) {
      const distinct = new Map<string, Claims>()
      claims.forEach((c, i) => {
        if (c.role === role) distinct.set(keys[i] as string, c)
      })
      const visibility = await this.policies.visibility(info, role)
      const results = await this.checks.evaluate(info, visibility, row, [...distinct.values()])
      for (const [i, key] of [...distinct.keys()].entries()) decided.set(key, results[i] === true)
    }
    return keys.map((key) => decided.get(key) === true)
  }

  /** A row too large for NOTIFY: read it back by primary key (as the owner; RLS is applied after). */
  private async readBack(change: ChangeNotice): Promise<Record<string, unknown> | null> {
    const info = await this.tables.get(change.schema, change.table)
    if (!info || info.primaryKey.length === 0) return null
    const where = info.primaryKey
      .map(
        (c) =>
          `t.${quoteIdent(c)} = (jsonb_populate_record(null::${info.sqlName}, $1::jsonb)).${quoteIdent(c)}`,
      )
      .join(' and ')
    const result = await this.db.query<{ record: Record<string, unknown> }>(
      `select to_jsonb(t) as record from ${info.sqlName} t where ${where}`,
      [JSON.stringify(change.pk)],
    )
    return result.rows[0]?.record ?? null
  }

  /** Joins with a binding for this change, among those joined before the change arrived. */
  private subscribersOf(change: ChangeNotice, at: number): { join: ChannelJoin; bindings: PgBinding[] }[] {
    const found: { join: ChannelJoin; bindings: PgBinding[] }[] = []
    for (const join of this.hub.all()) {
      if (join.since > at) continue
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
    if (change.old && info.replicaFull && !(change.type === 'DELETE' && info.rowSecurity)) return change.old
    return change.pk ?? {}
  }
}
