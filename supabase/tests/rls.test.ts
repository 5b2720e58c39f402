import { beforeAll, describe, expect, it } from 'vitest'
import { readAccess, writeAccess } from '../local/realtime/channel-auth.ts'
import type { Queryable } from '../src/db/index.ts'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asAnon, asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// Row level security and grants with two users in two tenants: what each may do, and that
// nothing of tenant B is readable or writable by tenant A through any table or function.

const tenantTables = [
  'channels',
  'channel_links',
  'conversations',
  'messages',
  'ai_runs',
  'audit_log',
  'canned_replies',
  'invitations',
]
const allTables = ['tenants', 'agents', ...tenantTables]

/** A row for `table` that belongs to tenant `t`, as the insert an attacker would try. */
function insertInto(table: string, t: TenantFixture, conversationId: string): [string, unknown[]] {
  const inserts: Record<string, [string, unknown[]]> = {
    tenants: [`insert into public.tenants (name) values ('Intruder')`, []],
    agents: [
      `insert into public.agents (user_id, tenant_id, display_name, email) values ($1, $2, 'x', 'x@x.test')`,
      [t.agentId, t.tenantId],
    ],
    channels: ['insert into public.channels (tenant_id) values ($1)', [t.tenantId]],
    channel_links: [
      `insert into public.channel_links (channel_id, tenant_id, qr) values ($1, $2, 'forged')`,
      [t.channelId, t.tenantId],
    ],
    conversations: [
      `insert into public.conversations (tenant_id, channel_id, wa_chat_id) values ($1, $2, 'x@c.us')`,
      [t.tenantId, t.channelId],
    ],
    messages: [
      `insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, status, body)
       values ($1, $2, $3, 'out', 'agent', 'queued', 'spoofed')`,
      [t.tenantId, t.channelId, conversationId],
    ],
    ai_runs: [
      `insert into public.ai_runs (tenant_id, conversation_id, provider, outcome) values ($1, $2, 'openai', 'replied')`,
      [t.tenantId, conversationId],
    ],
    audit_log: [
      `insert into public.audit_log (tenant_id, actor_kind, action) values ($1, 'agent', 'forged')`,
      [t.tenantId],
    ],
    canned_replies: [
      `insert into public.canned_replies (tenant_id, shortcut, body) values ($1, 'x', 'x')`,
      [t.tenantId],
    ],
    invitations: [
      `insert into public.invitations (tenant_id, email, token_hash) values ($1, 'x@x.test', 'h')`,
      [t.tenantId],
    ],
  }
  const insert = inserts[table]
  if (!insert) throw new Error(`no insert for ${table}`)
  return insert
}

const count = (tx: Queryable, table: string, tenantId: string) =>
  row<{ n: number }>(
    tx,
    `select count(*)::int as n from public.${table} where ${table === 'tenants' ? 'id' : 'tenant_id'} = $1`,
    [tenantId],
  ).then((r) => r.n)

/** Denied means: an error 42501, or no row touched. Either way B must be unchanged (checked by the caller). */
async function deniedOrNoop(attempt: Promise<{ affectedRows: number }>): Promise<void> {
  const outcome = await attempt.then(
    (result) => ({ affected: result.affectedRows, code: null as string | null }),
    (error: { code?: string }) => ({ affected: 0, code: error.code ?? 'unknown' }),
  )
  expect(outcome.affected).toBe(0)
  expect([null, '42501']).toContain(outcome.code)
}

describe.each(backends)('row level security on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let a: TenantFixture
  let b: TenantFixture
  let convA: string
  let convB: string
  beforeAll(async () => {
    a = await createTenant(db, 'A')
    b = await createTenant(db, 'B')
    for (const t of [a, b]) {
      const msg = await ingest(db, t.channelId)
      if (t === a) convA = msg.conversation_id
      else convB = msg.conversation_id
      await asUser(db, t.agentId, (tx) =>
        tx.query(`select public.send_agent_message($1, 'hola')`, [msg.conversation_id]),
      )
      await asUser(db, t.adminId, (tx) =>
        tx.query(`select public.create_invitation('new-${t.tenantId}@x.test')`),
      )
      await db.query(
        `insert into public.ai_runs (tenant_id, conversation_id, provider, outcome) values ($1, $2, 'openai', 'replied')`,
        [t.tenantId, msg.conversation_id],
      )
      await db.query(
        `insert into public.canned_replies (tenant_id, shortcut, body) values ($1, 'hi', 'Hola')`,
        [t.tenantId],
      )
      await asService(db, (tx) =>
        tx.query(`select public.set_channel_status($1, 'qr', $2)`, [t.channelId, `QR-${t.channelId}`]),
      )
    }
  })

  it.each(allTables)('%s: an admin of A sees its own rows and none of B', async (table) => {
    const seen = await asUser(db, a.adminId, async (tx) => ({
      own: await count(tx, table, a.tenantId),
      other: await count(tx, table, b.tenantId),
    }))
    expect(seen.own).toBeGreaterThan(0)
    expect(seen.other).toBe(0)
  })

  it.each(allTables)('%s: A cannot insert, update or delete rows of B', async (table) => {
    await expectUnchanged(db, async () => {
      const where = table === 'tenants' ? 'id = $1' : 'tenant_id = $1'
      for (const user of [a.adminId, a.agentId]) {
        const [insertSql, insertParams] = insertInto(table, b, convB)
        await deniedOrNoop(asUser(db, user, (tx) => tx.query(insertSql, insertParams)))
        // Writable columns get a new value; elsewhere any update at all must be refused.
        const column =
          { tenants: 'name', agents: 'display_name', canned_replies: 'body' }[table] ?? 'tenant_id'
        const value = column === 'tenant_id' ? 'tenant_id' : `'changed'`
        await deniedOrNoop(
          asUser(db, user, (tx) =>
            tx.query(`update public.${table} set ${column} = ${value} where ${where}`, [b.tenantId]),
          ),
        )
        await deniedOrNoop(
          asUser(db, user, (tx) => tx.query(`delete from public.${table} where ${where}`, [b.tenantId])),
        )
      }
    })
  })

  it.each([...allTables, 'realtime.messages'])('%s: anon reads nothing', async (table) => {
    const name = table.includes('.') ? table : `public.${table}`
    const outcome = await asAnon(db, (tx) => tx.query(`select * from ${name}`)).then(
      (r) => r.rows.length,
      (error: { code?: string }) => error.code,
    )
    expect([0, '42501']).toContain(outcome)
  })

  it('anon can call only signup_mode; authenticated only the dashboard and connector ones', async () => {
    const executable = async (role: string, schema: string) =>
      (
        await db.query<{ name: string }>(
          `select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = $2 and has_function_privilege($1, p.oid, 'execute') order by 1`,
          [role, schema],
        )
      ).rows.map((r) => r.name)
    // The sign-up page asks whether self-service sign-up is open before anyone has a session (ADR 110).
    expect(await executable('anon', 'public')).toEqual(['signup_mode'])
    expect(await executable('anon', 'private')).toEqual([])
    expect(await executable('authenticated', 'public')).toEqual([
      'accept_invitation',
      'add_note',
      'add_whatsapp_web_channel',
      'assign_conversation',
      'channel_heartbeat',
      'claim_outbox',
      'cloud_api_secrets_status',
      'create_invitation',
      'create_tenant',
      'create_webhook_endpoint',
      'csat_metrics',
      'customer_profile',
      'dashboard_metrics',
      'delete_webhook_endpoint',
      'erase_customer',
      'export_messages',
      'handback',
      'ingest_message',
      'ingest_messages',
      'is_open_at',
      'issue_connector_credential',
      'mark_conversation_read',
      'mark_failed',
      'mark_media_failed',
      'mark_media_stored',
      'mark_sent',
      'media_to_fetch',
      'next_opening',
      'outbox_chats',
      'record_ack',
      'record_edit',
      'record_revoke',
      'remove_channel',
      'rename_channel',
      'request_relink',
      'resend_webhook_delivery',
      'retry_message',
      'revoke_connector_credential',
      'revoke_invitation',
      'rotate_webhook_secret',
      'save_cloud_api_channel',
      'save_push_subscription',
      'search_messages',
      'send_agent_message',
      'send_template_message',
      'send_test_webhook_event',
      'set_channel_status',
      'set_conversation_label',
      'set_conversation_status',
      'set_push_alerts',
      'set_tenant_secrets',
      'set_window_template',
      'signup_mode',
      'start_conversation',
      'takeover',
      'tenant_secrets_status',
      'touch_presence',
      'update_webhook_endpoint',
    ])
    expect(await executable('authenticated', 'private')).toEqual([
      'connector_channel_id',
      'connector_media_folder',
      'connector_outgoing_folder',
      'current_admin_tenant_id',
      'current_tenant_id',
      'is_tenant_admin',
      'is_tenant_member',
    ])
  })

  // The connector's functions refuse agents inside (connector-credentials.test.ts).
  it.each([
    ['enqueue_ai_reply', `select public.enqueue_ai_reply($1, 'hola')`],
    ['set_message_transcript', `select public.set_message_transcript($1, 'hola')`],
    ['ai_handoff', `select public.ai_handoff($1, 'x')`],
    ['get_tenant_secrets', 'select public.get_tenant_secrets($1)'],
    ['auto_return_idle', 'select public.auto_return_idle() where $1::uuid is not null'],
    ['assign_waiting_chats', 'select public.assign_waiting_chats() where $1::uuid is not null'],
    ['push_targets', `select public.push_targets($1, 'needs_person')`],
    ['finish_push', 'select public.finish_push($1, 201)'],
    ['parse_csat', 'select public.parse_csat($1::text)'],
  ])('an agent cannot call the service function %s', async (_name, sql) => {
    await expectDenied(asUser(db, a.adminId, (tx) => tx.query(sql, [b.channelId])))
  })

  it('agents and admins never read secrets; admins set them and see only whether they are set', async () => {
    await asUser(db, a.adminId, (tx) =>
      tx.query(`select public.set_tenant_secrets(p_openai_api_key => 'sk-test-a')`),
    )
    for (const user of [a.adminId, a.agentId]) {
      await expectDenied(asUser(db, user, (tx) => tx.query('select * from vault.secrets')))
      await expectDenied(asUser(db, user, (tx) => tx.query('select * from vault.decrypted_secrets')))
      await expectDenied(asUser(db, user, (tx) => tx.query('select * from private.webhook_config')))
    }
    const statusFor = (userId: string) =>
      asUser(db, userId, (tx) => row(tx, 'select public.tenant_secrets_status() as s'))
    const noneSet = {
      openai_api_key: false,
      shopify_access_token: false,
      ai_http_secret: false,
      ai_http_header_secret: false,
    }
    expect(await statusFor(a.agentId)).toEqual({ s: { ...noneSet, openai_api_key: true } })
    expect(await statusFor(b.adminId)).toEqual({ s: noneSet })
    const forService = await asService(db, (tx) =>
      row<{ s: unknown }>(tx, 'select public.get_tenant_secrets($1) as s', [a.tenantId]),
    )
    expect(forService.s).toMatchObject({ openai_api_key: 'sk-test-a' })
  })

  it('only admins change settings, and the change is audited', async () => {
    const update = (user: string) =>
      asUser(db, user, (tx) =>
        tx.query('update public.tenants set debounce_seconds = 9 where id = $1', [a.tenantId]),
      )
    expect((await update(a.agentId)).affectedRows).toBe(0)
    expect((await update(a.adminId)).affectedRows).toBe(1)
    const audit = await row<{ actor_id: string; fields: string[] }>(
      db,
      `select actor_id, details -> 'fields' as fields from public.audit_log
       where tenant_id = $1 and action = 'settings_changed' order by id desc limit 1`,
      [a.tenantId],
    )
    expect(audit).toEqual({ actor_id: a.adminId, fields: ['debounce_seconds'] })
  })

  it('agents cannot read the audit log; admins read only their own', async () => {
    expect(await asUser(db, a.agentId, (tx) => count(tx, 'audit_log', a.tenantId))).toBe(0)
    expect(await asUser(db, a.adminId, (tx) => count(tx, 'audit_log', a.tenantId))).toBeGreaterThan(0)
  })

  it('no one changes their own role or tenant; admins manage the others of their tenant', async () => {
    await expectUnchanged(db, async () => {
      await expectRelevoError(
        asUser(db, a.adminId, (tx) =>
          tx.query(`update public.agents set role = 'agent' where user_id = $1`, [a.adminId]),
        ),
        403,
        'own_role_immutable',
      )
      const selfPromotion = await asUser(db, a.agentId, (tx) =>
        tx.query(`update public.agents set role = 'admin' where user_id = $1`, [a.agentId]),
      )
      expect(selfPromotion.affectedRows).toBe(0)
      for (const user of [a.adminId, a.agentId]) {
        await expectDenied(
          asUser(db, user, (tx) =>
            tx.query('update public.agents set tenant_id = $1 where user_id = $2', [b.tenantId, user]),
          ),
        )
      }
    })
    const renamed = await asUser(db, a.adminId, (tx) =>
      tx.query(`update public.agents set display_name = 'Ana B.' where user_id = $1`, [a.agentId]),
    )
    expect(renamed.affectedRows).toBe(1)
  })

  it('an agent deactivated by an admin loses access at once', async () => {
    const t = await createTenant(db, 'C')
    await ingest(db, t.channelId)
    expect(await asUser(db, t.agentId, (tx) => count(tx, 'conversations', t.tenantId))).toBe(1)
    await asUser(db, t.adminId, (tx) =>
      tx.query('update public.agents set active = false where user_id = $1', [t.agentId]),
    )
    expect(await asUser(db, t.agentId, (tx) => count(tx, 'conversations', t.tenantId))).toBe(0)
    expect(await asUser(db, t.agentId, (tx) => count(tx, 'tenants', t.tenantId))).toBe(0)
  })

  it('realtime: an agent joins only its tenant topic and reads only its rows', async () => {
    const claimsA = { role: 'authenticated' as const, sub: a.agentId }
    expect(await readAccess(db, claimsA, `tenant:${a.tenantId}`)).toEqual({ broadcast: true, presence: true })
    expect(await readAccess(db, claimsA, `tenant:${b.tenantId}`)).toEqual({
      broadcast: false,
      presence: false,
    })
    expect(await readAccess(db, claimsA, `channel:${a.channelId}`)).toEqual({
      broadcast: false,
      presence: false,
    })
    expect(await readAccess(db, { role: 'anon' }, `tenant:${a.tenantId}`)).toEqual({
      broadcast: false,
      presence: false,
    })
    expect(await writeAccess(db, claimsA, `tenant:${a.tenantId}`, 'presence')).toBe(true)
    expect(await writeAccess(db, claimsA, `tenant:${b.tenantId}`, 'presence')).toBe(false)
    // Broadcasts on the feed come from the database only: no agent or admin may send one (ADR 070).
    for (const sub of [a.agentId, a.adminId]) {
      const claims = { role: 'authenticated' as const, sub }
      expect(await writeAccess(db, claims, `tenant:${a.tenantId}`, 'broadcast')).toBe(false)
      expect(await writeAccess(db, claims, `channel:${a.channelId}`, 'broadcast')).toBe(false)
      expect(await writeAccess(db, claims, `channel:${a.channelId}`, 'presence')).toBe(false)
    }
    // Even with its own topic joined, B's feed rows stay invisible through the table.
    const rows = await asUser(db, a.agentId, async (tx) => {
      await tx.query(`select set_config('realtime.topic', $1, true)`, [`tenant:${a.tenantId}`])
      return row<{ own: number; other: number }>(
        tx,
        `select count(*) filter (where topic = $1)::int as own, count(*) filter (where topic <> $1)::int as other
         from realtime.messages`,
        [`tenant:${a.tenantId}`],
      )
    })
    expect(rows.own).toBeGreaterThan(0)
    expect(rows.other).toBe(0)
  })

  it('the link QR is readable by admins only, and broadcast only on the admins topic (ADR 071)', async () => {
    const qrOf = (user: string) =>
      asUser(db, user, (tx) =>
        tx.query<{ qr: string }>('select qr from public.channel_links where channel_id = $1', [a.channelId]),
      ).then((r) => r.rows.map((x) => x.qr))
    expect(await qrOf(a.adminId)).toEqual([`QR-${a.channelId}`])
    expect(await qrOf(a.agentId)).toEqual([])
    expect(await qrOf(b.adminId)).toEqual([])
    // Not in channels (which every agent reads and the tenant feed broadcasts) any more.
    const columns = await db.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'channels'`,
    )
    expect(columns.rows.map((c) => c.column_name).filter((c) => c.startsWith('qr'))).toEqual([])
    const feed = await db.query<{ payload: { record: Record<string, unknown> } }>(
      `select payload from realtime.messages where topic = $1`,
      [`tenant:${a.tenantId}`],
    )
    expect(feed.rows.some((m) => JSON.stringify(m.payload).includes(`QR-${a.channelId}`))).toBe(false)
    const admins = `admins:${a.tenantId}`
    expect(await readAccess(db, { role: 'authenticated', sub: a.adminId }, admins)).toMatchObject({
      broadcast: true,
    })
    for (const sub of [a.agentId, b.adminId]) {
      expect(await readAccess(db, { role: 'authenticated', sub }, admins)).toMatchObject({ broadcast: false })
    }
    for (const sub of [a.agentId, a.adminId]) {
      expect(await writeAccess(db, { role: 'authenticated', sub }, admins, 'broadcast')).toBe(false)
    }
  })

  it('dashboard functions never reach another tenant (see bad-input for every function)', async () => {
    await expectUnchanged(db, async () => {
      for (const sql of [
        'select public.takeover($1)',
        'select public.handback($1)',
        'select public.mark_conversation_read($1)',
      ]) {
        await expectRelevoError(
          asUser(db, a.adminId, (tx) => tx.query(sql, [convB])),
          404,
          'conversation_not_found',
        )
      }
    })
    const metrics = await asUser(db, a.adminId, (tx) =>
      row<{ m: { open_conversations: number } }>(
        tx,
        `select public.dashboard_metrics(now() - interval '1 day', now() + interval '1 day') as m`,
      ),
    )
    expect(metrics.m.open_conversations).toBe(1)
    expect(convA).toBeTruthy()
  })
})
