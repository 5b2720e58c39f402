import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Database, Queryable } from '../src/db/index.ts'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, row, type TenantFixture } from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// Media on messages: a file message is stored at once with media_status pending, the connector
// records the stored file or the failure, lists what is still to fetch; agents send files.

interface Ingested {
  message_id: string
  conversation_id: string
  tenant_id: string
  duplicate: boolean
  media_status: string | null
}

const sha = 'a'.repeat(64)

function ingestMedia(
  db: Database,
  channelId: string,
  options: { type: string; media?: unknown; waId?: string; chat?: string },
): Promise<Ingested> {
  return asService(db, (tx) =>
    row<{ r: Ingested }>(tx, 'select public.ingest_message($1, $2, $3, false, $4, $5, null, $6, $7) as r', [
      channelId,
      options.waId ?? `wa-${randomUUID()}`,
      options.chat ?? `52155${randomUUID().slice(0, 6).replace(/\D/g, '1')}@c.us`,
      '',
      'Cliente',
      options.type,
      options.media === undefined ? { mimetype: 'image/jpeg', size: 1000 } : options.media,
    ]).then((x) => x.r),
  )
}

const stored = (db: Queryable, id: string) =>
  row<{
    media: Record<string, unknown> | null
    media_status: string | null
    media_error: string | null
    type: string
  }>(db, 'select media, media_status, media_error, type from public.messages where id = $1', [id])

const pathOf = (m: Ingested, ext = 'jpg') => `${m.tenant_id}/${m.conversation_id}/${m.message_id}.${ext}`

const markStored = (db: Database, id: string, media: unknown) =>
  asService(db, (tx) =>
    row<{ r: { stored: boolean } }>(tx, 'select public.mark_media_stored($1, $2) as r', [id, media]),
  ).then((x) => x.r)

const markFailed = (db: Database, id: string, error: string, retryable: boolean, max = 5) =>
  asService(db, (tx) =>
    row<{ r: { media_status: string; retry_at: string | null } }>(
      tx,
      'select public.mark_media_failed($1, $2, $3, $4) as r',
      [id, error, retryable, max],
    ),
  ).then((x) => x.r)

const toFetch = (db: Database, channelId: string, pendingAge = 0) =>
  asService(db, (tx) =>
    tx
      .query<{ message_id: string; media_status: string }>(
        'select * from public.media_to_fetch($1, 100, $2)',
        [channelId, pendingAge],
      )
      .then((r) => r.rows.map((x) => x.message_id)),
  )

describe.each(backends)('message media on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db)
  })

  it('a file message starts pending and names its tenant; text, location and contacts carry no status', async () => {
    const image = await ingestMedia(db, t.channelId, { type: 'image' })
    expect(image).toMatchObject({ tenant_id: t.tenantId, duplicate: false, media_status: 'pending' })
    const location = await ingestMedia(db, t.channelId, {
      type: 'location',
      media: { latitude: 19.43, longitude: -99.13, name: 'Zócalo' },
    })
    const contacts = await ingestMedia(db, t.channelId, {
      type: 'contacts',
      media: { contacts: [{ name: 'Ana', phones: ['+5215511112222'] }] },
    })
    expect(location.media_status).toBeNull()
    expect(contacts.media_status).toBeNull()
    expect(await stored(db, contacts.message_id)).toMatchObject({ type: 'contacts', media_status: null })
    const again = await asService(db, (tx) =>
      row<{ r: Ingested }>(tx, 'select public.ingest_message($1, $2, $3, false, $4) as r', [
        t.channelId,
        'wa-dup-check',
        '5215599990000@c.us',
        'hola',
      ]),
    )
    expect(again.r.media_status).toBeNull()
  })

  it("mark_media_stored merges the descriptor once, only at the message's own path", async () => {
    const m = await ingestMedia(db, t.channelId, { type: 'image' })
    const descriptor = {
      path: pathOf(m),
      mimetype: 'image/jpeg',
      size: 1234,
      sha256: sha,
      width: 10,
      height: 8,
    }
    await expectRelevoError(
      markStored(db, m.message_id, { ...descriptor, path: `${t.tenantId}/other/x.jpg` }),
      400,
      'media_path_outside',
    )
    await expectRelevoError(
      markStored(db, m.message_id, { ...descriptor, sha256: 'nope' }),
      400,
      'invalid_media',
    )
    expect(await markStored(db, m.message_id, descriptor)).toEqual({ stored: true })
    expect(await markStored(db, m.message_id, descriptor)).toEqual({ stored: true })
    const after = await stored(db, m.message_id)
    expect(after).toMatchObject({ media_status: 'stored', media_error: null })
    expect(after.media).toMatchObject(descriptor)
    expect(await toFetch(db, t.channelId)).not.toContain(m.message_id)
  })

  it('a message deleted for everyone before its file was stored keeps no file', async () => {
    const m = await ingestMedia(db, t.channelId, { type: 'video', waId: 'wa-del-media' })
    await asService(db, (tx) =>
      tx.query('select public.record_revoke($1, $2)', [t.channelId, 'wa-del-media']),
    )
    const descriptor = { path: pathOf(m, 'mp4'), mimetype: 'video/mp4', size: 1, sha256: sha }
    expect(await markStored(db, m.message_id, descriptor)).toEqual({ stored: false, reason: 'deleted' })
    expect(await toFetch(db, t.channelId)).not.toContain(m.message_id)
  })

  it('mark_media_failed retries with backoff, gives up when not retryable or out of attempts', async () => {
    const retry = await ingestMedia(db, t.channelId, { type: 'audio' })
    const tooBig = await ingestMedia(db, t.channelId, { type: 'document' })
    const first = await markFailed(db, retry.message_id, 'upload: HTTP 503', true, 2)
    expect(first.media_status).toBe('failed')
    expect(new Date(first.retry_at ?? 0).getTime()).toBeGreaterThan(Date.now() + 20_000)
    expect((await markFailed(db, retry.message_id, 'upload: HTTP 503', true, 2)).retry_at).toBeNull()
    expect(
      (await markFailed(db, tooBig.message_id, 'too_large: 120 MB over 100 MB', false)).retry_at,
    ).toBeNull()
    expect(await stored(db, tooBig.message_id)).toMatchObject({
      media_status: 'failed',
      media_error: 'too_large: 120 MB over 100 MB',
    })
    const done = await ingestMedia(db, t.channelId, { type: 'image' })
    await markStored(db, done.message_id, {
      path: pathOf(done),
      mimetype: 'image/jpeg',
      size: 1,
      sha256: sha,
    })
    expect((await markFailed(db, done.message_id, 'late', true)).media_status).toBe('stored')
  })

  it('media_to_fetch lists pending files past the age and failed ones that are due, of this channel only', async () => {
    const other = await createTenant(db)
    const pending = await ingestMedia(db, t.channelId, { type: 'sticker' })
    const due = await ingestMedia(db, t.channelId, { type: 'image' })
    const notDue = await ingestMedia(db, t.channelId, { type: 'image' })
    const elsewhere = await ingestMedia(db, other.channelId, { type: 'image' })
    await markFailed(db, due.message_id, 'x', true)
    await markFailed(db, notDue.message_id, 'x', true)
    await db.query(`update public.messages set media_retry_at = now() - interval '1 second' where id = $1`, [
      due.message_id,
    ])
    const listed = await toFetch(db, t.channelId)
    expect(listed).toEqual(expect.arrayContaining([pending.message_id, due.message_id]))
    expect(listed).not.toContain(notDue.message_id)
    expect(listed).not.toContain(elsewhere.message_id)
    expect(await toFetch(db, t.channelId, 3600)).not.toContain(pending.message_id)
  })

  it('agents cannot record or list media: only a connector credential (ADR 074) or the service role', async () => {
    const m = await ingestMedia(db, t.channelId, { type: 'image' })
    const refused = (sql: string, params: unknown[]) =>
      expectRelevoError(
        asUser(db, t.agentId, (tx) => tx.query(sql, params)),
        401,
        'connector_credential_invalid',
      )
    await refused('select public.mark_media_stored($1, $2)', [m.message_id, { path: pathOf(m) }])
    await refused('select public.mark_media_failed($1, $2)', [m.message_id, 'x'])
    await refused('select * from public.media_to_fetch($1)', [t.channelId])
  })

  it('an agent sends a file from its outgoing/ folder; the outbox row carries it to the connector', async () => {
    const conv = (await ingestMedia(db, t.channelId, { type: 'image' })).conversation_id
    const send = (media: unknown, body = '') =>
      asUser(db, t.agentId, (tx) =>
        row<{ id: string; type: string; media: unknown; media_status: string; body: string }>(
          tx,
          'select * from public.send_agent_message($1, $2, null, $3)',
          [conv, body, media],
        ),
      )
    const pdf = await send({
      path: `${t.tenantId}/outgoing/factura.pdf`,
      mimetype: 'application/pdf',
      filename: 'factura.pdf',
    })
    expect(pdf).toMatchObject({ type: 'document', media_status: 'stored', body: '' })
    expect(pdf.media).toEqual({
      path: `${t.tenantId}/outgoing/factura.pdf`,
      mimetype: 'application/pdf',
      filename: 'factura.pdf',
    })
    const voice = await send(
      { path: `${t.tenantId}/outgoing/nota.ogg`, mimetype: 'audio/ogg', voice: true },
      'escucha',
    )
    expect(voice).toMatchObject({ type: 'audio', body: 'escucha', media: { voice: true } })
    const claimed = await asService(db, (tx) =>
      tx.query<{ id: string; media: unknown; type: string }>(
        'select * from public.claim_outbox($1, $2, 10, 60)',
        [t.channelId, 'w1'],
      ),
    )
    expect(claimed.rows.find((r) => r.id === pdf.id)).toMatchObject({ type: 'document', media: pdf.media })
  })

  it("refuses files outside the agent's tenant outgoing/ folder and a file without a type", async () => {
    const other = await createTenant(db)
    const conv = (await ingestMedia(db, t.channelId, { type: 'image' })).conversation_id
    const send = (media: unknown) =>
      asUser(db, t.agentId, (tx) =>
        tx.query('select public.send_agent_message($1, $2, null, $3)', [conv, 'x', media]),
      )
    for (const path of [
      `${other.tenantId}/outgoing/a.png`,
      `${t.tenantId}/${conv}/a.png`,
      `${t.tenantId}/outgoing/../${conv}/a.png`,
      `${t.tenantId}/outgoing/`,
    ]) {
      await expectRelevoError(send({ path, mimetype: 'image/png' }), 400, 'media_path_outside')
    }
    await expectRelevoError(send({ path: `${t.tenantId}/outgoing/a.png` }), 400, 'invalid_media')
    await expectRelevoError(
      asUser(db, t.agentId, (tx) => tx.query('select public.send_agent_message($1, $2)', [conv, ''])),
      400,
      'invalid_body',
    )
  })
})
