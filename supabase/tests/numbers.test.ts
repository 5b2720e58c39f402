import { beforeAll, describe, expect, it } from 'vitest'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, saveCloudChannel, type TenantFixture } from './support/fixtures.ts'
import { asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// Numbers (ADR 113): admins add a WhatsApp Web number with its connector's credential, rename and
// remove numbers of their own store; a removed number keeps its chats, loses its credentials and
// takes no new reply.

interface Added {
  channel: { id: string; tenant_id: string; kind: string; name: string; status: string }
  credential: { id: string; channel_id: string; key: string }
}

describe.each(backends)('numbers on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let a: TenantFixture
  let b: TenantFixture

  const add = (userId: string, name: unknown) =>
    asUser(db, userId, (tx) =>
      row<{ r: Added }>(tx, 'select public.add_whatsapp_web_channel($1) as r', [name]),
    ).then((r) => r.r)
  const rename = (userId: string, channelId: string, name: unknown) =>
    asUser(db, userId, (tx) => tx.query('select public.rename_channel($1, $2)', [channelId, name]))
  const remove = (userId: string, channelId: string, cancelQueued = false) =>
    asUser(db, userId, (tx) =>
      row<{ archived_at: string | null }>(tx, 'select * from public.remove_channel($1, $2)', [
        channelId,
        cancelQueued,
      ]),
    )
  const reply = (userId: string, conversationId: string) =>
    asUser(db, userId, (tx) =>
      row<{ id: string; channel_id: string }>(tx, `select * from public.send_agent_message($1, 'hola')`, [
        conversationId,
      ]),
    )

  beforeAll(async () => {
    a = await createTenant(db, 'Store A')
    b = await createTenant(db, 'Store B')
  })

  it('an admin adds a WhatsApp Web number with its credential, once, audited', async () => {
    const added = await add(a.adminId, '  Sales  ')
    expect(added.channel).toMatchObject({
      tenant_id: a.tenantId,
      kind: 'whatsapp_web',
      name: 'Sales',
      status: 'starting',
    })
    expect(added.credential.channel_id).toBe(added.channel.id)
    expect(added.credential.key).toMatch(/^[0-9a-f-]{36}\.[0-9a-f]{48}$/)
    const audit = await row<{ actions: string[] }>(
      db,
      `select array_agg(action order by action) as actions from public.audit_log
       where tenant_id = $1 and details->>'channel_id' = $2`,
      [a.tenantId, added.channel.id],
    )
    expect(audit.actions).toEqual(['channel_added', 'connector_credential_issued'])
  })

  it('an agent, another tenant and bad names are refused, and nothing changes', async () => {
    await expectUnchanged(db, async () => {
      await expectRelevoError(add(a.agentId, 'Sales'), 403, 'admin_only')
      await expectRelevoError(add(a.adminId, '   '), 400, 'invalid_argument')
      await expectRelevoError(add(a.adminId, 'x'.repeat(61)), 400, 'invalid_argument')
      await expectRelevoError(add(a.adminId, null), 400, 'invalid_argument')
      await expectRelevoError(rename(a.agentId, a.channelId, 'Mine'), 403, 'admin_only')
      await expectRelevoError(rename(a.adminId, b.channelId, 'Mine'), 404, 'channel_not_found')
      await expectRelevoError(rename(a.adminId, a.channelId, ''), 400, 'invalid_argument')
      await expectRelevoError(rename(a.adminId, null as unknown as string, 'Mine'), 400, 'invalid_argument')
      await expectRelevoError(remove(a.agentId, a.channelId), 403, 'admin_only')
      await expectRelevoError(remove(a.adminId, b.channelId), 404, 'channel_not_found')
    })
  })

  it('an admin renames a number of its store, audited', async () => {
    await rename(a.adminId, a.channelId, 'Store Centro')
    const renamed = await row<{ name: string; audited: number }>(
      db,
      `select c.name, (select count(*)::int from public.audit_log l where l.action = 'channel_renamed'
         and l.details->>'channel_id' = c.id::text and l.details->>'name' = 'Store Centro') as audited
       from public.channels c where c.id = $1`,
      [a.channelId],
    )
    expect(renamed).toEqual({ name: 'Store Centro', audited: 1 })
  })

  it('a reply goes out on the chat’s own number, not the store’s other one', async () => {
    const second = await add(b.adminId, 'Second')
    const { conversation_id } = await ingest(db, second.channel.id)
    const firstChat = await ingest(db, b.channelId)
    expect((await reply(b.adminId, conversation_id)).channel_id).toBe(second.channel.id)
    expect((await reply(b.adminId, firstChat.conversation_id)).channel_id).toBe(b.channelId)
  })

  it('removing refuses while replies wait, unless asked to cancel them; then archives and stops sends', async () => {
    const added = await add(a.adminId, 'Temporary')
    const { conversation_id } = await ingest(db, added.channel.id)
    const queued = await reply(a.adminId, conversation_id)
    await expectUnchanged(db, async () => {
      await expectRelevoError(remove(a.adminId, added.channel.id), 409, 'channel_has_queued_messages')
    })

    const removed = await remove(a.adminId, added.channel.id, true)
    expect(removed.archived_at).not.toBeNull()
    const after = await row<{ status: string; error: string; live: number; users: number; chats: number }>(
      db,
      `select m.status, m.error,
         (select count(*)::int from public.connector_credentials where channel_id = $2 and revoked_at is null) as live,
         (select count(*)::int from auth.users where id in (select user_id from public.connector_credentials
            where channel_id = $2)) as users,
         (select count(*)::int from public.conversations where channel_id = $2) as chats
       from public.messages m where m.id = $1`,
      [queued.id, added.channel.id],
    )
    expect(after).toEqual({
      status: 'cancelled',
      error: 'the number was removed',
      live: 0,
      users: 0,
      chats: 1,
    })
    // Its chats stay, but nothing more is sent on it, and it cannot be renamed or removed again.
    await expectRelevoError(reply(a.adminId, conversation_id), 409, 'channel_removed')
    await expectRelevoError(rename(a.adminId, added.channel.id, 'Back'), 404, 'channel_not_found')
    await expectRelevoError(remove(a.adminId, added.channel.id), 404, 'channel_not_found')
    const audit = await row<{ details: Record<string, unknown> }>(
      db,
      `select details from public.audit_log where action = 'channel_removed' and details->>'channel_id' = $1`,
      [added.channel.id],
    )
    expect(audit.details).toMatchObject({ cancelled_messages: 1, revoked_credentials: 1, name: 'Temporary' })
  })

  it('a reply the connector is sending right now blocks the removal', async () => {
    const added = await add(a.adminId, 'Busy')
    const { conversation_id } = await ingest(db, added.channel.id)
    const queued = await reply(a.adminId, conversation_id)
    await db.query(
      `update public.messages set status = 'sending', leased_by = 'w', lease_expires_at = now() + interval '1 minute'
       where id = $1`,
      [queued.id],
    )
    await expectRelevoError(remove(a.adminId, added.channel.id, true), 409, 'channel_sending')
  })

  it('removing a Cloud API number frees its phone number id and forgets its secrets', async () => {
    const cloud = await asUser(db, a.adminId, (tx) => saveCloudChannel(tx, { number: '10000000077' }))
    const left = () =>
      row<{ numbers: number; secrets: number }>(
        db,
        `select (select count(*)::int from public.cloud_api_channels where channel_id = $1) as numbers,
           (select count(*)::int from vault.secrets where name like 'cloud_api:' || $1 || ':%') as secrets`,
        [cloud.id],
      )
    expect(await left()).toEqual({ numbers: 1, secrets: 3 })
    await remove(a.adminId, cloud.id)
    expect(await left()).toEqual({ numbers: 0, secrets: 0 })
  })
})
