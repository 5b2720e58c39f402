import { beforeAll, describe, expect, it } from 'vitest'
import { asRole } from '../local/as-role.ts'
import { readAccess, writeAccess } from '../local/realtime/channel-auth.ts'
import type { Database, Queryable } from '../src/db/index.ts'
import {
  claimsOf,
  IDENTITIES,
  type Identity,
  idFor,
  type ProbeTenant,
  populateTenant,
} from './support/probe-world.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// The suite the project runs on itself (issue 13), generated from the live catalog so that a new
// table, function or realtime topic is probed without anyone listing it here:
// - a cross-tenant probe: tenant B's agent, admin and connector against every table, every
//   callable function and every realtime topic of tenant A, with a positive control (A's own
//   people and connector do reach A's rows and topics);
// - a role matrix: anon, agent, admin, connector credential and service role × every table and
//   function, printed, with the promises each role's column must keep;
// - Storage: the bucket media's objects of tenant A, the same identities of B, and A's connector
//   confined to its own channel's chat folders.

/** Deployment-wide tables (no tenant): every agent may read them, no API role may change them. */
const DEPLOYMENT_TABLES = ['media_limits']

interface Table {
  name: string
  /** The column that names the owning tenant: tenant_id, or id for the table tenant_id refers to. */
  tenantColumn: string | null
  /** Its first column, for an update that changes nothing (is an update allowed at all?). */
  firstColumn: string
}

interface Fn {
  name: string
  signature: string
  args: Array<{ name: string; type: string }>
  /** Checks the caller's channel inside (a connector's function). */
  channelScoped: boolean
  /** Executable by signed-in users (else the service role's alone). */
  callable: boolean
}

class Rollback extends Error {}

/**
 * Runs `sql` as the identity; the outcome or the SQLSTATE. Rolled back unless `commit` (the
 * cross-tenant calls commit, so that a change they made would show in the owner's fingerprint).
 */
async function attempt(
  db: Database,
  identity: Identity,
  t: ProbeTenant,
  sql: string,
  params: unknown[] = [],
  commit = false,
): Promise<{ ok: true; text: string; rows: number } | { ok: false; code: string }> {
  let outcome: { ok: true; text: string; rows: number } | { ok: false; code: string } = {
    ok: false,
    code: '',
  }
  await asRole(db, claimsOf(identity, t), async (tx: Queryable) => {
    try {
      const result = await tx.query(sql, params)
      outcome = {
        ok: true,
        text: JSON.stringify(result.rows),
        rows: result.affectedRows || result.rows.length,
      }
    } catch (error) {
      outcome = { ok: false, code: String((error as { code?: string }).code ?? 'unknown') }
    }
    if (!commit) throw new Rollback()
  }).catch((error: unknown) => {
    // A failed statement aborts the transaction, which then cannot commit: that is the refusal.
    if (!(error instanceof Rollback) && !(commit && !outcome.ok)) throw error
  })
  return outcome
}

async function catalog(db: Database): Promise<{ tables: Table[]; functions: Fn[]; topics: string[] }> {
  const { rows: tables } = await db.query<Table>(
    `select c.relname as name,
       case when exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
            then 'tenant_id'
            when exists (select 1 from pg_constraint f join pg_attribute a on a.attrelid = f.conrelid and a.attnum = f.conkey[1]
                         where f.contype = 'f' and f.confrelid = c.oid and a.attname = 'tenant_id')
            then 'id' end as "tenantColumn",
       (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        order by a.attnum limit 1) as "firstColumn"
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') order by 1`,
  )
  const { rows: functions } = await db.query<Fn>(
    `select p.proname as name, p.oid::regprocedure::text as signature,
       coalesce((select jsonb_agg(jsonb_build_object('name', coalesce(p.proargnames[i], ''), 'type', format_type(p.proargtypes[i - 1], null)) order by i)
                 from generate_series(1, p.pronargs) i), '[]') as args, false as "channelScoped",
       has_function_privilege('authenticated', p.oid, 'execute') as callable
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype order by 1`,
  )
  const scoped = await channelScopedFunctions(db)
  for (const fn of functions) fn.channelScoped = scoped.has(`public.${fn.name}`)
  const { rows: policies } = await db.query<{ text: string }>(
    `select coalesce(qual, '') || ' ' || coalesce(with_check, '') as text from pg_policies
     where schemaname = 'realtime' and tablename = 'messages'`,
  )
  const topics = [
    ...new Set(policies.flatMap((p) => [...p.text.matchAll(/'([a-z_]+):'/g)].map((m) => m[1] ?? ''))),
  ]
  return { tables, functions, topics: topics.filter(Boolean).sort() }
}

/**
 * Functions that check the caller's channel: those calling the channel checks, and, transitively,
 * those calling such a function (ingest_messages → ingest_element → ingest_message).
 */
async function channelScopedFunctions(db: Database): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string; src: string }>(
    `select n.nspname || '.' || p.proname as name, p.prosrc as src from pg_proc p
     join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private')`,
  )
  const scoped = new Set([
    'private.require_channel_actor',
    'private.require_outbox_message',
    'private.require_message_actor',
  ])
  for (let grew = true; grew; ) {
    grew = false
    for (const { name, src } of rows) {
      if (!scoped.has(name) && [...scoped].some((callee) => src.includes(`${callee}(`))) {
        scoped.add(name)
        grew = true
      }
    }
  }
  return scoped
}

/** One SQL expression per argument, each made from its text parameter (see paramsFor). */
function argumentsFor(fn: Fn): string {
  const values = fn.args.map(({ type }, i) => {
    const arg = `$${i + 1}`
    if (type === 'uuid') return `${arg}::uuid`
    if (type === 'uuid[]') return `array[${arg}::uuid]`
    if (type === 'jsonb')
      return `jsonb_build_array(jsonb_build_object('channel_id', ${arg}::text, 'wa_message_id', 'probe', 'wa_chat_id', 'probe@c.us', 'from_me', false, 'body', 'probe'))`
    if (type === 'boolean') return `(${arg} = '')`
    if (type === 'integer') return `length(${arg})`
    if (type.startsWith('timestamp')) return `now() + (length(${arg}) * interval '0 s')`
    if (type === 'text') return arg
    // An enum: its first label.
    return `(select e.enumlabel::${type} from pg_enum e where e.enumtypid = '${type}'::regtype and length(${arg}) >= 0 order by e.enumsortorder limit 1)`
  })
  return values.join(', ')
}

function paramsFor(fn: Fn, t: ProbeTenant): string[] {
  return fn.args.map(({ name, type }) =>
    type.startsWith('uuid') || type === 'jsonb' ? idFor(name, t) : 'probe',
  )
}

describe.each(backends)('isolation probe and role matrix on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let a: ProbeTenant
  let b: ProbeTenant
  let world: Awaited<ReturnType<typeof catalog>>

  beforeAll(async () => {
    a = await populateTenant(db, 'A')
    b = await populateTenant(db, 'B')
    world = await catalog(db)
  }, 180_000)

  it('every table of public names its tenant, so the probe covers it (but the deployment-wide ones)', () => {
    expect(world.tables.filter((t) => !t.tenantColumn).map((t) => t.name)).toEqual(DEPLOYMENT_TABLES)
    expect(world.tables.length).toBeGreaterThan(5)
  })

  it("tenant B's agent, admin and connector read, change and delete nothing of A in any table (positive control: A sees its own)", async () => {
    const leaks: string[] = []
    const ownRows: Record<string, number> = {}
    const refusedOwn: string[] = []
    for (const table of world.tables) {
      if (!table.tenantColumn) {
        // Shared by every tenant: nobody but the service role changes a row.
        for (const identity of ['agent', 'admin', 'connector'] as const) {
          for (const sql of [
            `update public.${table.name} set ${table.firstColumn} = ${table.firstColumn}`,
            `delete from public.${table.name}`,
          ]) {
            const write = await attempt(db, identity, b, sql)
            if (write.ok && write.rows > 0) leaks.push(`${identity}: ${sql.split(' ')[0]} ${table.name}`)
          }
        }
        continue
      }
      const column = table.tenantColumn
      const where = `${column} = $1::uuid`
      for (const identity of ['agent', 'admin', 'connector'] as const) {
        const read = await attempt(
          db,
          identity,
          b,
          `select ${column} from public.${table.name} where ${where}`,
          [a.tenantId],
        )
        if (read.ok && read.rows > 0) leaks.push(`${identity} reads ${table.name}`)
        for (const sql of [
          `update public.${table.name} set ${column} = ${column} where ${where}`,
          `delete from public.${table.name} where ${where}`,
        ]) {
          const write = await attempt(db, identity, b, sql, [a.tenantId])
          if (write.ok && write.rows > 0) leaks.push(`${identity}: ${sql.split(' ')[0]} ${table.name}`)
        }
      }
      const own = await attempt(db, 'admin', a, `select ${column} from public.${table.name} where ${where}`, [
        a.tenantId,
      ])
      ownRows[table.name] = own.ok ? own.rows : 0
      if (!own.ok) refusedOwn.push(`${table.name}: ${own.code}`)
    }
    expect(leaks).toEqual([])
    expect(
      Object.entries(ownRows)
        .filter(([, n]) => n === 0)
        .map(([name]) => name),
      refusedOwn.join(', '),
    ).toEqual([])
  })

  it("no function callable by a signed-in user gives tenant B anything of A's, or changes A", async () => {
    const before = await tenantFingerprint(db, world.tables, a.tenantId)
    const leaks: string[] = []
    for (const fn of world.functions.filter((f) => f.callable)) {
      for (const identity of ['agent', 'admin', 'connector'] as const) {
        const sql = `select x::text as r from public.${fn.name}(${argumentsFor(fn)}) as x`
        const outcome = await attempt(db, identity, b, sql, paramsFor(fn, a), true)
        if (outcome.ok && outcome.text.includes(a.marker)) leaks.push(`${identity} → ${fn.signature}`)
      }
    }
    expect(leaks).toEqual([])
    expect(await tenantFingerprint(db, world.tables, a.tenantId)).toBe(before)
  })

  it("realtime: B joins and sends on no topic of A's (positive control: A's own people and connector do join)", async () => {
    expect(world.topics.length).toBeGreaterThanOrEqual(3)
    const candidates = (t: ProbeTenant) =>
      world.topics.flatMap((prefix) => [`${prefix}:${t.tenantId}`, `${prefix}:${t.channelId}`])
    const leaks: string[] = []
    for (const topic of candidates(a)) {
      for (const identity of ['anon', 'agent', 'admin', 'connector'] as const) {
        const read = await readAccess(db, claimsOf(identity, b), topic)
        const write = await writeAccess(db, claimsOf(identity, b), topic, 'broadcast')
        if (read.broadcast || read.presence || write) leaks.push(`${identity} of B on ${topic}`)
      }
    }
    expect(leaks).toEqual([])
    for (const prefix of world.topics) {
      let joined = false
      for (const topic of [`${prefix}:${a.tenantId}`, `${prefix}:${a.channelId}`]) {
        for (const identity of ['agent', 'admin', 'connector'] as const) {
          joined ||= (await readAccess(db, claimsOf(identity, a), topic)).broadcast
        }
      }
      expect(joined, `someone of A joins ${prefix}:`).toBe(true)
    }
  })

  it("storage: B reads, writes and deletes no object of A's; A's connector writes only its own chat folders", async () => {
    const objectsOf = `select name from storage.objects where bucket_id = 'media' and name like $1`
    const leaks: string[] = []
    for (const identity of ['anon', 'agent', 'admin', 'connector'] as const) {
      const read = await attempt(db, identity, b, objectsOf, [`${a.tenantId}/%`])
      if (read.ok && read.rows > 0) leaks.push(`${identity} of B reads A's objects`)
      for (const name of [
        `${a.tenantId}/${a.conversationId}/forged.jpg`,
        `${a.tenantId}/outgoing/forged.jpg`,
      ]) {
        const write = await attempt(
          db,
          identity,
          b,
          `insert into storage.objects (bucket_id, name) values ('media', $1)`,
          [name],
        )
        if (write.ok) leaks.push(`${identity} of B writes ${name}`)
      }
      for (const sql of [
        `update storage.objects set name = name where name like $1`,
        `delete from storage.objects where name like $1`,
      ]) {
        const write = await attempt(db, identity, b, sql, [`${a.tenantId}/%`])
        if (write.ok && write.rows > 0) leaks.push(`${identity} of B: ${sql.split(' ')[0]} A's objects`)
      }
    }
    expect(leaks).toEqual([])
    // Positive control: A's agent reads both, A's connector its chat's file and the outgoing one.
    for (const identity of ['agent', 'connector'] as const) {
      const read = await attempt(db, identity, a, objectsOf, [`${a.tenantId}/%`])
      expect(read.ok && read.rows, `${identity} of A reads A's objects`).toBe(2)
    }
    const write = (name: string) =>
      attempt(db, 'connector', a, `insert into storage.objects (bucket_id, name) values ('media', $1)`, [
        name,
      ])
    expect((await write(`${a.tenantId}/${a.conversationId}/new.jpg`)).ok).toBe(true)
    for (const name of [
      `${a.tenantId}/outgoing/new.jpg`,
      `${a.tenantId}/${a.cloudChannelId}/new.jpg`,
      `${a.tenantId}/new.jpg`,
      `${a.tenantId}/${a.conversationId}/nested/new.jpg`,
    ]) {
      expect((await write(name)).ok, `A's connector writes ${name}`).toBe(false)
    }
    const remove = await attempt(db, 'connector', a, 'delete from storage.objects where name = $1', [
      a.objects.outgoing,
    ])
    expect(remove.ok && remove.rows).toBe(0)
  })

  it('role matrix: what each role reaches of its own tenant, printed; anon and the connector read no row', async () => {
    const matrix: Record<string, Record<string, string>> = {}
    for (const identity of IDENTITIES) {
      const column: Record<string, string> = {}
      for (const table of world.tables) {
        const read = await attempt(db, identity, a, `select 1 from public.${table.name}`)
        column[`table ${table.name}`] = read.ok ? `${read.rows} rows` : `denied ${read.code}`
      }
      for (const fn of world.functions) {
        const sql = `select x::text as r from public.${fn.name}(${argumentsFor(fn)}) as x`
        const outcome = await attempt(db, identity, a, sql, paramsFor(fn, a))
        // A batch function answers refusals per element, in its result.
        const refusedInside = outcome.ok && /"status": 40[1349]/.test(outcome.text.replaceAll('\\"', '"'))
        column[`fn ${fn.name}`] =
          outcome.ok && !refusedInside ? 'runs' : `refused ${outcome.ok ? 'in result' : outcome.code}`
      }
      matrix[identity] = column
    }
    const rows = Object.keys(matrix.anon ?? {})
    const count = (identity: Identity, predicate: (cell: string) => boolean) =>
      rows.filter((r) => predicate(matrix[identity]?.[r] ?? '')).length
    for (const identity of ['anon', 'connector'] as const) {
      const readable = rows.filter(
        (r) => r.startsWith('table ') && /^[1-9]/.test(matrix[identity]?.[r] ?? ''),
      )
      expect(readable, `${identity} reads rows`).toEqual([])
    }
    // The sign-up page asks whether sign-up is open before anyone has a session (ADR 110).
    expect(rows.filter((r) => r.startsWith('fn ') && matrix.anon?.[r] === 'runs')).toEqual(['fn signup_mode'])
    // A connector runs only its channel's functions; every other function refuses it or gives it nothing.
    const connectorRuns = world.functions.filter((fn) => matrix.connector?.[`fn ${fn.name}`] === 'runs')
    // (signup_mode says only whether sign-up is open; tenant_secrets_status gives a non-agent null.)
    expect(connectorRuns.filter((fn) => !fn.channelScoped).map((fn) => fn.name)).toEqual([
      'signup_mode',
      'tenant_secrets_status',
    ])
    // Functions kept for the service role refuse every other role at the grant.
    for (const fn of world.functions.filter((f) => !f.callable)) {
      for (const identity of ['anon', 'agent', 'admin', 'connector'] as const) {
        expect(matrix[identity]?.[`fn ${fn.name}`], `${identity} → ${fn.name}`).toBe('refused 42501')
      }
    }
    // An agent runs no channel function.
    expect(
      world.functions.filter((fn) => fn.channelScoped && matrix.agent?.[`fn ${fn.name}`] === 'runs'),
    ).toEqual([])
    const summary = IDENTITIES.map(
      (identity) =>
        `${identity}: ${count(identity, (c) => /^[1-9]\d* rows/.test(c))}/${world.tables.length} tables with rows, ` +
        `${rows.filter((r) => r.startsWith('fn ') && matrix[identity]?.[r] === 'runs').length}/${world.functions.length} functions run`,
    )
    process.stdout.write(
      `role matrix (${backend.kind}): ${world.tables.length} tables × ${world.functions.length} functions × ${IDENTITIES.length} roles; topics ${world.topics.join(', ')}\n  ${summary.join('\n  ')}\n`,
    )
  })
})

/** A hash of every row of tenant `tenantId` in every table of public, as the owner sees them. */
async function tenantFingerprint(db: Database, tables: Table[], tenantId: string): Promise<string> {
  const parts: string[] = []
  for (const table of tables.filter((t) => t.tenantColumn)) {
    const { rows } = await db.query<{ h: string | null }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as h from public.${table.name} t
       where ${table.tenantColumn} = $1::uuid`,
      [tenantId],
    )
    parts.push(`${table.name}=${rows[0]?.h ?? ''}`)
  }
  return parts.join(';')
}
