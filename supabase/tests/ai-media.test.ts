import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { expectDenied, expectRelevoError } from './support/errors.ts'
import {
  createTenant,
  type Ingested,
  ingest,
  row,
  saveCloudChannel,
  type TenantFixture,
} from './support/fixtures.ts'
import { asService, asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'

// The AI hears and sees (ADR 081/082): transcripts stored by the functions (service role only),
// searchable and broadcast; an AI reply may carry one image from the tenant's ai/ folder.

function ingestVoiceNote(db: Database, channelId: string, waId = `wa-${randomUUID()}`): Promise<Ingested> {
  return asService(db, (tx) =>
    row<{ r: Ingested }>(tx, 'select public.ingest_message($1, $2, $3, false, $4, $5, null, $6, $7) as r', [
      channelId,
      waId,
      `52155${randomUUID().slice(0, 6).replace(/\D/g, '1')}@c.us`,
      '',
      'Cliente',
      'audio',
      { mimetype: 'audio/ogg; codecs=opus', size: 5000, voice: true, duration_s: 4 },
    ]).then((x) => x.r),
  )
}

const setTranscript = (db: Database, id: string, text: string) =>
  asService(db, (tx) =>
    row<{ r: unknown }>(tx, 'select public.set_message_transcript($1, $2) as r', [id, text]).then((x) => x.r),
  )

const enqueue = (db: Database, triggerId: string, body: string, media: unknown) =>
  asService(db, (tx) =>
    row<{ r: Record<string, unknown> }>(tx, 'select public.enqueue_ai_reply($1, $2, $3) as r', [
      triggerId,
      body,
      media,
    ]).then((x) => x.r),
  )

describe.each(backends)('the AI hears and sees on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  let other: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db, 'Voice store')
    other = await createTenant(db, 'Other store')
  }, 120_000)

  it('stores a transcript on a voice note once; search finds its words with a snippet', async () => {
    const note = await ingestVoiceNote(db, t.channelId)
    expect(
      await setTranscript(db, note.message_id, '  Quiero saber dónde está mi pedido de almohadas  '),
    ).toEqual({
      saved: true,
    })
    expect(
      await setTranscript(db, note.message_id, 'Quiero saber dónde está mi pedido de almohadas'),
    ).toEqual({
      saved: true,
    })
    const stored = await row<{ transcript: string }>(
      db,
      'select transcript from public.messages where id = $1',
      [note.message_id],
    )
    expect(stored.transcript).toBe('Quiero saber dónde está mi pedido de almohadas')
    const hits = await asUser(db, t.agentId, (tx) =>
      tx.query<{ message_id: string; snippet: string }>('select * from public.search_messages($1)', [
        'almohada',
      ]),
    )
    expect(hits.rows.map((h) => h.message_id)).toEqual([note.message_id])
    expect(hits.rows[0]?.snippet).toContain('\uE000almohadas\uE001')
    const elsewhere = await asUser(db, other.agentId, (tx) =>
      tx.query('select * from public.search_messages($1)', ['almohada']),
    )
    expect(elsewhere.rows).toEqual([])
  })

  it('refuses a transcript for a text message, and keeps none (nor a search hit) once deleted for everyone', async () => {
    const text = await ingest(db, t.channelId, { body: 'hola' })
    await expectRelevoError(setTranscript(db, text.message_id, 'x'), 404, 'message_not_found')
    const waId = `wa-${randomUUID()}`
    const note = await ingestVoiceNote(db, t.channelId, waId)
    await setTranscript(db, note.message_id, 'mensaje secreto sobre cucharas')
    await asService(db, (tx) => tx.query('select public.record_revoke($1, $2)', [t.channelId, waId]))
    expect(await setTranscript(db, note.message_id, 'otra vez')).toEqual({ saved: false, reason: 'deleted' })
    const hits = await asUser(db, t.agentId, (tx) =>
      tx.query('select * from public.search_messages($1)', ['cucharas']),
    )
    expect(hits.rows).toEqual([])
  })

  it('agents cannot store transcripts', async () => {
    const note = await ingestVoiceNote(db, t.channelId)
    await expectDenied(
      asUser(db, t.adminId, (tx) =>
        tx.query('select public.set_message_transcript($1, $2)', [note.message_id, 'x']),
      ),
    )
  })

  it('queues an AI reply with one image from the tenant ai/ folder, and refuses a path outside it', async () => {
    const trigger = await ingest(db, t.channelId, { body: '¿tienen tazas?' })
    const image = {
      path: `${t.tenantId}/ai/${randomUUID()}.png`,
      mimetype: 'image/png',
      size: 321,
      sha256: 'b'.repeat(64),
    }
    await expectRelevoError(
      enqueue(db, trigger.message_id, 'Mira', { ...image, path: `${other.tenantId}/ai/x.png` }),
      400,
      'media_path_outside',
    )
    await expectRelevoError(
      enqueue(db, trigger.message_id, 'Mira', { ...image, mimetype: 'application/pdf' }),
      400,
      'invalid_media',
    )
    const queued = await enqueue(db, trigger.message_id, 'Esta es la taza', image)
    expect(queued).toMatchObject({ enqueued: true, media_dropped: false })
    const reply = await row<{
      type: string
      media: unknown
      media_status: string
      status: string
      body: string
    }>(db, 'select type, media, media_status, status, body from public.messages where id = $1', [
      queued.message_id,
    ])
    expect(reply).toEqual({
      type: 'image',
      media: image,
      media_status: 'stored',
      status: 'queued',
      body: 'Esta es la taza',
    })
  })

  it('on a Cloud API number (no files yet) the text goes alone and says media_dropped', async () => {
    const cloud = await asUser(db, t.adminId, (tx) => saveCloudChannel(tx))
    const trigger = await ingest(db, cloud.id, { chat: '5215522223333' })
    const image = {
      path: `${t.tenantId}/ai/${randomUUID()}.png`,
      mimetype: 'image/png',
      size: 1,
      sha256: 'c'.repeat(64),
    }
    const queued = await enqueue(db, trigger.message_id, 'Esta es', image)
    expect(queued).toMatchObject({ enqueued: true, media_dropped: true })
    const reply = await row(db, 'select type, media from public.messages where id = $1', [queued.message_id])
    expect(reply).toEqual({ type: 'text', media: null })
  })

  it('a text-only AI reply is unchanged, and agents cannot call enqueue_ai_reply with media', async () => {
    const trigger = await ingest(db, t.channelId, { body: 'hola' })
    await expectDenied(
      asUser(db, t.adminId, (tx) =>
        tx.query('select public.enqueue_ai_reply($1, $2, $3)', [trigger.message_id, 'x', null]),
      ),
    )
    const queued = await enqueue(db, trigger.message_id, 'Hola', null)
    expect(queued).toMatchObject({ enqueued: true })
    const reply = await row<{ type: string; media: unknown }>(
      db,
      'select type, media from public.messages where id = $1',
      [queued.message_id],
    )
    expect(reply).toEqual({ type: 'text', media: null })
  })

  it('tenants accept images and use gpt-4o-mini-transcribe by default; admins change both', async () => {
    const before = await row<{ ai_accepts_images: boolean; transcription_model: string }>(
      db,
      'select ai_accepts_images, transcription_model from public.tenants where id = $1',
      [t.tenantId],
    )
    expect(before).toEqual({ ai_accepts_images: true, transcription_model: 'gpt-4o-mini-transcribe' })
    await asUser(db, t.adminId, (tx) =>
      tx.query(
        `update public.tenants set ai_accepts_images = false, transcription_model = 'whisper-1' where id = $1`,
        [t.tenantId],
      ),
    )
    const after = await row(
      db,
      'select ai_accepts_images, transcription_model from public.tenants where id = $1',
      [t.tenantId],
    )
    expect(after).toEqual({ ai_accepts_images: false, transcription_model: 'whisper-1' })
  })
})
