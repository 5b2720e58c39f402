import { beforeAll, describe, expect, it } from 'vitest'
import { readAccess } from '../local/realtime/channel-auth.ts'
import type { Database } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// A connector holds only its own channel's keys (ADR 074): a credential issued for channel A acts
// for A through every channel function, is refused for B, reads no table, and dies when revoked.

interface Credential {
  id: string
  key: string
  userId: string
}

async function issue(db: Database, adminId: string, channelId: string): Promise<Credential> {
  const issued = await asUser(db, adminId, (tx) =>
    row<{ c: { id: string; key: string } }>(tx, 'select public.issue_connector_credential($1) as c', [
      channelId,
    ]),
  )
  const { user_id } = await row<{ user_id: string }>(
    db,
    'select user_id from public.connector_credentials where id = $1',
    [issued.c.id],
  )
  return { ...issued.c, userId: user_id }
}

/** Every function a connector calls, for a channel (and an outbox message of that channel). */
function channelCalls(channelId: string, outboxId: string): Array<[string, string, unknown[]]> {
  return [
    [
      'ingest_message',
      `select public.ingest_message($1, 'wa-probe', 'probe@c.us', false, 'hola')`,
      [channelId],
    ],
    ['claim_outbox', `select * from public.claim_outbox($1, 'probe')`, [channelId]],
    ['record_ack', `select public.record_ack($1, 'wa-x', 'read')`, [channelId]],
    ['record_revoke', `select public.record_revoke($1, 'wa-x')`, [channelId]],
    ['record_edit', `select public.record_edit($1, 'wa-x', 'edited')`, [channelId]],
    ['set_channel_status', `select public.set_channel_status($1, 'ready')`, [channelId]],
    ['channel_heartbeat', 'select public.channel_heartbeat($1)', [channelId]],
    ['outbox_chats', `select * from public.outbox_chats($1, '{}')`, [channelId]],
    ['mark_sent', `select public.mark_sent($1, 'wa-probe-sent')`, [outboxId]],
    ['mark_failed', `select public.mark_failed($1, 'probe')`, [outboxId]],
  ]
}

describe.each(backends)('connector credentials on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let a: TenantFixture
  let b: TenantFixture
  let credential: Credential
  let outboxA: string
  let outboxB: string

  /**
   * Calls every channel function as `userId` for a channel it may not act for: each answers
   * `status` `detail`, but mark_sent and mark_failed, which name a message, answer that it is not found.
   */
  async function expectChannelCallsRefused(
    userId: string,
    channelId: string,
    outboxId: string,
    status: number,
    detail: string,
  ): Promise<void> {
    for (const [name, sql, params] of channelCalls(channelId, outboxId)) {
      const call = asUser(db, userId, (tx) => tx.query(sql, params))
      if (name === 'mark_sent' || name === 'mark_failed')
        await expectRelevoError(call, 404, 'message_not_found')
      else await expectRelevoError(call, status, detail)
    }
  }

  async function queueAgentReply(t: TenantFixture): Promise<string> {
    const { conversation_id } = await ingest(db, t.channelId)
    const sent = await asUser(db, t.adminId, (tx) =>
      row<{ m: { id: string } }>(tx, `select to_jsonb(public.send_agent_message($1, 'hola')) as m`, [
        conversation_id,
      ]),
    )
    return sent.m.id
  }

  beforeAll(async () => {
    a = await createTenant(db, 'Store A')
    b = await createTenant(db, 'Store B')
    credential = await issue(db, a.adminId, a.channelId)
    outboxA = await queueAgentReply(a)
    outboxB = await queueAgentReply(b)
  })

  it('only an admin issues a credential, and only for a channel of its own tenant', async () => {
    expect(credential.key).toMatch(/^[0-9a-f-]{36}\.[0-9a-f]{48}$/)
    await expectRelevoError(
      asUser(db, a.agentId, (tx) => tx.query('select public.issue_connector_credential($1)', [a.channelId])),
      403,
      'admin_only',
    )
    await expectRelevoError(
      asUser(db, a.adminId, (tx) => tx.query('select public.issue_connector_credential($1)', [b.channelId])),
      404,
      'channel_not_found',
    )
    const login = await row<{ valid: boolean }>(
      db,
      `select encrypted_password = extensions.crypt($2, encrypted_password) as valid from auth.users
       where email = $1`,
      [`${credential.id}@connector.relevo.invalid`, credential.key.split('.')[1]],
    )
    expect(login.valid).toBe(true)
  })

  it('acts for its own channel through every channel function', async () => {
    const connector = (sql: string, params: unknown[]) =>
      asUser(db, credential.userId, (tx) => tx.query(sql, params))
    for (const [, sql, params] of channelCalls(a.channelId, outboxA)) {
      await connector(sql, params)
    }
    const batch = await asUser(db, credential.userId, (tx) =>
      row<{ r: Array<Record<string, unknown>> }>(
        tx,
        `select public.ingest_messages(jsonb_build_array(
           jsonb_build_object('channel_id', $1::uuid, 'wa_message_id', 'wa-own', 'wa_chat_id', 'own@c.us',
             'from_me', false, 'body', 'mine'),
           jsonb_build_object('channel_id', $2::uuid, 'wa_message_id', 'wa-other', 'wa_chat_id', 'other@c.us',
             'from_me', false, 'body', 'forged'))) as r`,
        [a.channelId, b.channelId],
      ),
    )
    expect(batch.r[0]).toMatchObject({ duplicate: false })
    expect(batch.r[1]).toMatchObject({ error: { status: 403, code: 'wrong_channel' } })
  })

  it('is refused for another channel by every channel function, and changes nothing', async () => {
    await expectUnchanged(db, () =>
      expectChannelCallsRefused(credential.userId, b.channelId, outboxB, 403, 'wrong_channel'),
    )
  })

  it('reads no row of any table in public, its own tenant included', async () => {
    const { rows: tables } = await db.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') order by 1`,
    )
    expect(tables.length).toBeGreaterThan(5)
    const seen: Record<string, number> = {}
    for (const { name } of tables) {
      seen[name] = await asUser(db, credential.userId, (tx) =>
        tx
          .query<{ n: number }>(`select count(*)::int as n from public.${name}`)
          .then((result) => result.rows[0]?.n ?? 0)
          .catch(() => 0),
      )
    }
    expect(
      Object.values(seen).every((n) => n === 0),
      JSON.stringify(seen),
    ).toBe(true)
  })

  it('joins its own channel topic only: not another channel, not the tenant or admin feed', async () => {
    const claims = { role: 'authenticated' as const, sub: credential.userId }
    expect((await readAccess(db, claims, `channel:${a.channelId}`)).broadcast).toBe(true)
    for (const topic of [`channel:${b.channelId}`, `tenant:${a.tenantId}`, `admins:${a.tenantId}`]) {
      expect((await readAccess(db, claims, topic)).broadcast, topic).toBe(false)
    }
  })

  it('an agent or a signed-in stranger is no connector: 401 on every channel function', async () => {
    await expectChannelCallsRefused(a.agentId, a.channelId, outboxA, 401, 'connector_credential_invalid')
  })

  it('a revoked credential is refused at once and its Auth user is gone; a new one works', async () => {
    const doomed = await issue(db, a.adminId, a.channelId)
    await asUser(db, doomed.userId, (tx) => tx.query('select public.channel_heartbeat($1)', [a.channelId]))
    await asUser(db, a.adminId, (tx) =>
      tx.query('select public.revoke_connector_credential($1)', [doomed.id]),
    )
    await expectRelevoError(
      asUser(db, doomed.userId, (tx) => tx.query('select public.channel_heartbeat($1)', [a.channelId])),
      401,
      'connector_credential_invalid',
    )
    const gone = await db.query('select 1 from auth.users where id = $1', [doomed.userId])
    expect(gone.rows).toHaveLength(0)
    await expectRelevoError(
      asUser(db, b.adminId, (tx) =>
        tx.query('select public.revoke_connector_credential($1)', [credential.id]),
      ),
      404,
      'credential_not_found',
    )
    await asUser(db, credential.userId, (tx) =>
      tx.query('select public.channel_heartbeat($1)', [a.channelId]),
    )
  })

  it('admins list their credentials (no secret anywhere in the row); agents and other tenants see none', async () => {
    const list = (user: string) =>
      asUser(db, user, (tx) =>
        tx.query<Record<string, unknown>>('select * from public.connector_credentials'),
      )
    const mine = await list(a.adminId)
    expect(mine.rows.length).toBeGreaterThanOrEqual(2)
    expect(JSON.stringify(mine.rows)).not.toContain(credential.key.split('.')[1])
    expect((await list(a.agentId)).rows).toHaveLength(0)
    expect((await list(b.adminId)).rows).toHaveLength(0)
  })

  it('the service role still acts for any channel, and the operator issues credentials for any tenant', async () => {
    await asService(db, (tx) => tx.query('select public.channel_heartbeat($1)', [b.channelId]))
    const issued = await asService(db, (tx) =>
      row<{ c: { channel_id: string } }>(tx, `select public.issue_connector_credential($1, 'ops') as c`, [
        b.channelId,
      ]),
    )
    expect(issued.c.channel_id).toBe(b.channelId)
  })

  it("a connector's login never becomes an agent, and a Cloud API number gets no credential", async () => {
    await expectRelevoError(
      asUser(db, credential.userId, (tx) =>
        tx.query(`select public.create_tenant('Taken over', 'es', 'UTC')`),
      ),
      403,
      'connector_not_agent',
    )
    const { id: cloud } = await row<{ id: string }>(
      db,
      `insert into public.channels (tenant_id, kind, name) values ($1, 'cloud_api', 'Cloud') returning id::text`,
      [a.tenantId],
    )
    await expectRelevoError(
      asUser(db, a.adminId, (tx) => tx.query('select public.issue_connector_credential($1)', [cloud])),
      409,
      'channel_has_no_connector',
    )
  })
})
