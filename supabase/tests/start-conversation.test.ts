import { beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, saveCloudChannel, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// Start a chat (issue 18, item 7; ADR 093): an agent writes first to a phone number; the chat is
// found or created and the message goes through the outbox like any agent reply.

interface Started {
  id: string
  conversation_id: string
  direction: string
  author: string
  agent_id: string
  body: string
  status: string
  template: { name: string } | null
}

const start = (db: Database, agentId: string, args: unknown[]) =>
  asUser(db, agentId, (tx) =>
    row<Started>(tx, 'select * from public.start_conversation($1, $2, $3, $4, $5, $6)', [
      ...args,
      ...Array(6 - args.length).fill(null),
    ]),
  )

const conversation = (db: Database, id: string) =>
  row<{
    wa_chat_id: string
    customer_phone: string
    customer_name: string | null
    mode: string
    assigned_agent_id: string
  }>(
    db,
    'select wa_chat_id, customer_phone, customer_name, mode, assigned_agent_id from public.conversations where id = $1',
    [id],
  )

describe.each(backends)('start a chat on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db)
  })

  it('on a WhatsApp Web number: a new chat held by the agent, the first message queued in the outbox', async () => {
    const msg = await start(db, t.agentId, [
      t.channelId,
      '+52 1 (55) 1234-5678',
      'Hola, te escribo de la tienda',
      'Rosa',
    ])
    expect(msg).toMatchObject({ direction: 'out', author: 'agent', agent_id: t.agentId, status: 'queued' })
    expect(await conversation(db, msg.conversation_id)).toEqual({
      wa_chat_id: '5215512345678@c.us',
      customer_phone: '5215512345678',
      customer_name: 'Rosa',
      mode: 'human',
      assigned_agent_id: t.agentId,
    })
    // The connector's outbox hands it over, to the chat id above.
    const claimed = await asService(db, (tx) =>
      tx.query<{ id: string }>(`select * from public.claim_outbox($1, 'w1')`, [t.channelId]),
    )
    expect(claimed.rows.map((r) => r.id)).toEqual([msg.id])
  })

  it('reuses the chat a customer already has, by chat id or by phone', async () => {
    const byChat = await ingest(db, t.channelId, { chat: '5215599990000@c.us' })
    const again = await start(db, t.agentId, [t.channelId, '5215599990000', 'Seguimos'])
    expect(again.conversation_id).toBe(byChat.conversation_id)

    // A WhatsApp Web chat under a @lid id, whose phone is known.
    const lid = await ingest(db, t.channelId, { chat: '99887766@lid' })
    await db.query(`update public.conversations set customer_phone = '+52 155 8888 7777' where id = $1`, [
      lid.conversation_id,
    ])
    const byPhone = await start(db, t.adminId, [t.channelId, '+5215588887777', 'Hola'])
    expect(byPhone.conversation_id).toBe(lid.conversation_id)
    expect((await conversation(db, lid.conversation_id)).assigned_agent_id).toBe(t.adminId)
  })

  it('is idempotent on the client reference', async () => {
    const first = await start(db, t.agentId, [t.channelId, '5215577776666', 'Una vez', null, null, 'ref-1'])
    const second = await start(db, t.agentId, [t.channelId, '5215577776666', 'Una vez', null, null, 'ref-1'])
    expect(second.id).toBe(first.id)
  })

  it('refuses a number that is not E.164, another store’s number and an empty message, changing nothing', async () => {
    const other = await createTenant(db, 'Other')
    await expectUnchanged(db, async () => {
      for (const phone of ['12345', '0052155123456', '+52 55 abc 1234', '5215512345678901234', '', null])
        await expectRelevoError(start(db, t.agentId, [t.channelId, phone, 'Hola']), 400, 'invalid_phone')
      await expectRelevoError(
        start(db, t.agentId, [other.channelId, '5215512345678', 'Hola']),
        404,
        'channel_not_found',
      )
      await expectRelevoError(start(db, t.agentId, [t.channelId, '5215511223344', '  ']), 400, 'invalid_body')
      await expectRelevoError(
        start(db, t.agentId, [
          t.channelId,
          '5215511223344',
          'x',
          null,
          { name: 'hola', language: 'es', parameters: [] },
        ]),
        409,
        'templates_need_cloud_api',
      )
    })
  })

  it('on a Cloud API number: only with an approved template; free text creates nothing', async () => {
    const cloud = await createTenant(db, 'Cloud Store')
    const chan = await asUser(db, cloud.adminId, (tx) => saveCloudChannel(tx))
    await expectUnchanged(db, async () => {
      await expectRelevoError(
        start(db, cloud.agentId, [chan.id, '5215512345678', 'Hola']),
        409,
        'outside_service_window',
      )
    })

    const template = {
      name: 'order_update',
      language: 'es_MX',
      parameters: ['Rosa'],
      preview: 'Hola Rosa, tu pedido…',
    }
    const msg = await start(db, cloud.agentId, [chan.id, '5215512345678', null, 'Rosa', template])
    expect(msg).toMatchObject({
      status: 'queued',
      body: 'Hola Rosa, tu pedido…',
      template: { name: 'order_update' },
    })
    expect((await conversation(db, msg.conversation_id)).wa_chat_id).toBe('5215512345678')
  })
})
