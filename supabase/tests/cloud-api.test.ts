import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import { createTenant, ingest, row, saveCloudChannel, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// Cloud API channels (ADR 120) and the 24-hour service window (ADR 121) at the SQL level.

let numbers = 0
const phoneNumberId = () => {
  numbers += 1
  return `1${Date.now() % 1e9}${numbers}`
}

/** A tenant whose channel is a Cloud API number, with one customer chat. */
async function cloudTenant(
  db: Database,
): Promise<TenantFixture & { number: string; conversationId: string }> {
  const t = await createTenant(db)
  const number = phoneNumberId()
  const chan = await asUser(db, t.adminId, (tx) => saveCloudChannel(tx, { number }))
  const msg = await ingest(db, chan.id, { chat: '5215511111111' })
  return { ...t, channelId: chan.id, number, conversationId: msg.conversation_id }
}

const closeWindow = (db: Database, conversationId: string) =>
  db.query(
    `update public.conversations set last_customer_message_at = now() - interval '25 hours' where id = $1`,
    [conversationId],
  )

describe.each(backends)('Cloud API channels on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('an admin adds a number; its secrets are write-only and only the service reads them', async () => {
    const t = await createTenant(db)
    const number = phoneNumberId()
    const chan = await asUser(db, t.adminId, (tx) => saveCloudChannel(tx, { number }))
    expect(chan).toMatchObject({ kind: 'cloud_api', status: 'ready' })
    const status = await asUser(db, t.adminId, (tx) =>
      row<{ s: unknown }>(tx, 'select public.cloud_api_secrets_status($1) as s', [chan.id]),
    )
    expect(status.s).toEqual({ access_token: true, app_secret: true, verify_token: true })
    // In Vault (ADR 075), which no API role may read.
    await expectDenied(asUser(db, t.adminId, (tx) => tx.query('select * from vault.decrypted_secrets')))
    await expectDenied(asUser(db, t.adminId, (tx) => tx.query('select * from vault.secrets')))
    const seen = await asUser(db, t.agentId, (tx) =>
      tx.query('select phone_number_id from public.cloud_api_channels where channel_id = $1', [chan.id]),
    )
    expect(seen.rows).toEqual([{ phone_number_id: number }])
    const config = await asService(db, (tx) =>
      row<{ c: Record<string, unknown> }>(tx, 'select public.cloud_api_channel_for_number($1) as c', [
        number,
      ]),
    )
    expect(config.c).toMatchObject({
      channel_id: chan.id,
      app_secret: 'app-secret',
      access_token: 'EAAG-token',
    })
    const known = await asService(db, (tx) =>
      row<{ a: boolean; b: boolean }>(
        tx,
        `select public.cloud_api_verify_token_known('verify-me') a, public.cloud_api_verify_token_known('nope') b`,
      ),
    )
    expect(known).toEqual({ a: true, b: false })
  })

  it('refuses agents, other tenants, a taken phone number id and a new number without secrets', async () => {
    const t = await createTenant(db)
    const other = await createTenant(db)
    const number = phoneNumberId()
    await expectUnchanged(db, async () => {
      await expectRelevoError(
        asUser(db, t.agentId, (tx) => saveCloudChannel(tx, { number })),
        403,
        'admin_only',
      )
      await expectRelevoError(
        asUser(db, t.adminId, (tx) => saveCloudChannel(tx, { number, token: null })),
        400,
        'invalid_argument',
      )
    })
    const chan = await asUser(db, t.adminId, (tx) => saveCloudChannel(tx, { number }))
    await expectRelevoError(
      asUser(db, other.adminId, (tx) => saveCloudChannel(tx, { number })),
      409,
      'phone_number_id_taken',
    )
    await expectRelevoError(
      asUser(db, other.adminId, (tx) =>
        saveCloudChannel(tx, { channelId: chan.id, number: phoneNumberId() }),
      ),
      404,
      'channel_not_found',
    )
    const hidden = await asUser(db, other.agentId, (tx) =>
      tx.query('select 1 from public.cloud_api_channels where channel_id = $1', [chan.id]),
    )
    expect(hidden.rows).toEqual([])
    await expectDenied(
      asUser(db, t.adminId, (tx) => tx.query('select public.cloud_api_channel($1)', [chan.id])),
    )
  })

  it('a token error puts the number in error until an admin saves a new token', async () => {
    const t = await cloudTenant(db)
    await asService(db, (tx) =>
      tx.query(`select public.set_cloud_api_error($1, '190: token expired')`, [t.channelId]),
    )
    const errored = await row<{ status: string; last_error: string }>(
      db,
      `select ch.status, c.last_error from public.channels ch join public.cloud_api_channels c on c.channel_id = ch.id
       where ch.id = $1`,
      [t.channelId],
    )
    expect(errored).toEqual({ status: 'error', last_error: '190: token expired' })
    await asUser(db, t.adminId, (tx) =>
      saveCloudChannel(tx, { channelId: t.channelId, number: t.number, token: 'EAAG-new' }),
    )
    const fixed = await row<{ status: string }>(db, 'select status from public.channels where id = $1', [
      t.channelId,
    ])
    expect(fixed.status).toBe('ready')
  })

  it('announces queued messages to the functions, claims them with the recipient, records failures', async () => {
    const t = await cloudTenant(db)
    const sent = await asUser(db, t.agentId, (tx) =>
      row<{ id: string }>(tx, `select (public.send_agent_message($1, 'Hola')).id`, [t.conversationId]),
    )
    const hook = await row<{ record: Record<string, unknown> }>(
      db,
      `select body -> 'record' as record from private.webhook_requests where body -> 'record' ->> 'id' = $1`,
      [sent.id],
    )
    expect(hook.record).toMatchObject({ direction: 'out', status: 'queued', channel_id: t.channelId })
    const claimed = await asService(db, (tx) =>
      tx.query<{ id: string; recipient: string }>(
        `select * from public.claim_cloud_outbox($1, 'test', 10, 60)`,
        [t.channelId],
      ),
    )
    expect(claimed.rows.map((r) => [r.id, r.recipient])).toEqual([[sent.id, '5215511111111']])
    await asService(db, async (tx) => {
      await tx.query(`select public.mark_sent($1, 'wamid.1')`, [sent.id])
      await tx.query(
        `select public.record_delivery_failure($1, 'wamid.1', '131026: Message undeliverable')`,
        [t.channelId],
      )
    })
    const failed = await row<{ status: string; error: string }>(
      db,
      'select status, error from public.messages where id = $1',
      [sent.id],
    )
    expect(failed).toEqual({ status: 'failed', error: '131026: Message undeliverable' })
  })
})

describe.each(backends)('the 24-hour service window on $kind', (backend) => {
  const db = suiteDatabase(backend)

  it('outside the window free text is refused and a template is queued instead', async () => {
    const t = await cloudTenant(db)
    await closeWindow(db, t.conversationId)
    await expectRelevoError(
      asUser(db, t.agentId, (tx) =>
        tx.query(`select public.send_agent_message($1, 'Hola')`, [t.conversationId]),
      ),
      409,
      'outside_service_window',
    )
    const ref = randomUUID()
    const template = await asUser(db, t.agentId, (tx) =>
      row<{ id: string; template: unknown; body: string }>(
        tx,
        `select * from public.send_template_message($1, 'order_update', 'es_MX', array['Juan'], 'Hola Juan', $2)`,
        [t.conversationId, ref],
      ),
    )
    expect(template).toMatchObject({
      body: 'Hola Juan',
      template: { name: 'order_update', language: 'es_MX', parameters: ['Juan'] },
    })
  })

  it('outside the window the AI is refused and its handoff queues no fallback text', async () => {
    const t = await cloudTenant(db)
    const trigger = await row<{ id: string }>(
      db,
      `select id from public.messages where conversation_id = $1 and direction = 'in'`,
      [t.conversationId],
    )
    await closeWindow(db, t.conversationId)
    const refused = await asService(db, (tx) =>
      row<{ r: unknown }>(tx, `select public.enqueue_ai_reply($1, 'Hola') as r`, [trigger.id]),
    )
    expect(refused.r).toEqual({ enqueued: false, reason: 'outside_service_window' })
    await asService(db, (tx) =>
      tx.query(`select public.ai_handoff($1, 'outside_service_window')`, [t.conversationId]),
    )
    const out = await row<{ n: number; reason: string }>(
      db,
      `select (select count(*)::int from public.messages where conversation_id = $1 and direction = 'out' and not private) n,
              (select attention_reason from public.conversations where id = $1) reason`,
      [t.conversationId],
    )
    expect(out).toEqual({ n: 0, reason: 'outside_service_window' })
  })

  it("outside the window the AI queues the number's chosen template once (customer name filled), never its text", async () => {
    const t = await cloudTenant(db)
    const choose = (userId: string, name: string | null) =>
      asUser(db, userId, (tx) =>
        tx.query(`select public.set_window_template($1, $2, 'es_MX', $3, $4)`, [
          t.channelId,
          name,
          ['{customer_name}', 'tu pedido'],
          'Hola {{1}}, seguimos con {{2}}: responde para continuar.',
        ]),
      )
    await expectRelevoError(choose(t.agentId, 'order_update'), 403, 'admin_only')
    await expectRelevoError(choose(t.adminId, 'Bad Name'), 400, 'invalid_argument')
    await choose(t.adminId, 'order_update')
    const trigger = await row<{ id: string }>(
      db,
      `select id from public.messages where conversation_id = $1 and direction = 'in'`,
      [t.conversationId],
    )
    await closeWindow(db, t.conversationId)
    const enqueue = () =>
      asService(db, (tx) =>
        row<{ r: { enqueued: boolean; message_id?: string; template?: string; reason?: string } }>(
          tx,
          `select public.enqueue_ai_reply($1, 'Texto libre') as r`,
          [trigger.id],
        ),
      )
    const queued = (await enqueue()).r
    expect(queued).toMatchObject({ enqueued: true, template: 'order_update' })
    expect((await enqueue()).r).toEqual({ enqueued: false, reason: 'already_answered' })
    const out = await db.query<{ author: string; body: string; template: unknown; status: string }>(
      `select author, body, template, status from public.messages where conversation_id = $1 and direction = 'out'`,
      [t.conversationId],
    )
    expect(out.rows).toEqual([
      {
        author: 'ai',
        body: 'Hola Cliente, seguimos con tu pedido: responde para continuar.',
        template: { name: 'order_update', language: 'es_MX', parameters: ['Cliente', 'tu pedido'] },
        status: 'queued',
      },
    ])
    // Cleared: the AI hands off again (the refusal above).
    await choose(t.adminId, null)
    const setting = await row<{ window_template: unknown }>(
      db,
      'select window_template from public.cloud_api_channels where channel_id = $1',
      [t.channelId],
    )
    expect(setting.window_template).toBeNull()
  })

  it('inside the window, and on WhatsApp Web numbers always, free text goes; templates only on Cloud API', async () => {
    const t = await cloudTenant(db)
    await asUser(db, t.agentId, (tx) =>
      tx.query(`select public.send_agent_message($1, 'Hola')`, [t.conversationId]),
    )
    const web = await createTenant(db)
    const chat = await ingest(db, web.channelId)
    await db.query(
      `update public.conversations set last_customer_message_at = now() - interval '30 days' where id = $1`,
      [chat.conversation_id],
    )
    await asUser(db, web.agentId, (tx) =>
      tx.query(`select public.send_agent_message($1, 'Hola')`, [chat.conversation_id]),
    )
    await expectRelevoError(
      asUser(db, web.agentId, (tx) =>
        tx.query(`select public.send_template_message($1, 'hello', 'es', '{}', 'Hola')`, [
          chat.conversation_id,
        ]),
      ),
      409,
      'templates_need_cloud_api',
    )
  })
})
