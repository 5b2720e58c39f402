/**
 * Media end to end: simulator → connector → the local stand-in's SQL functions and its Storage
 * API (/storage/v1) through unmodified supabase-js, and back out through the outbox. One stand-in
 * for the file; each test uses its own customer number.
 */

import { DEMO_TENANT_ID } from '@relevo/testing/demo-seed'
import {
  type MediaFixtureKind,
  mediaFixture,
  mediaFixtureKinds,
  sha256,
} from '@relevo/testing/media-fixtures'
import { waitFor } from '@relevo/testing/wait-for'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../store/errors.ts'
import type { MediaStorage } from '../store/media-storage.ts'
import { type Harness, harnesses } from '../testing/harness.ts'
import { sentMedia } from '../testing/sent-media.ts'
import { startBackend, type TestBackend } from '../testing/stand-in.ts'

let backend: TestBackend
const pool = harnesses()
beforeAll(async () => {
  backend = await startBackend()
}, 180_000)
afterEach(() => pool.stopAll())
afterAll(async () => {
  await backend?.close()
})

function start(options: Parameters<typeof pool.start>[1] = {}) {
  return pool.start(backend.store('media'), { storage: backend.mediaStorage(), ...options })
}

interface MediaRow {
  id: string
  type: string
  body: string
  media: { path?: string; size?: number; sha256?: string; mimetype?: string; voice?: boolean } & Record<
    string,
    unknown
  >
  media_status: string | null
  media_error: string | null
}

async function mediaRows(phone: string): Promise<MediaRow[]> {
  const result = await backend.db.query<MediaRow>(
    `select m.id, m.type, m.body, m.media, m.media_status, m.media_error
     from public.messages m join public.conversations c on c.id = m.conversation_id
     where c.wa_chat_id = $1 and m.direction = 'in' order by m.created_at, m.id`,
    [`${phone}@c.us`],
  )
  return result.rows
}

function sendFile(h: Harness, phone: string, kind: MediaFixtureKind) {
  const { data, ...file } = mediaFixture(kind)
  return h.post('/simulator/messages', {
    from: phone,
    name: 'Lucía',
    media: { ...file, data: data.toString('base64') },
  })
}

/** The object's bytes as an agent of the tenant downloads them (Storage's RLS decides). */
async function downloaded(path: string): Promise<string> {
  const agent = await backend.agent()
  const { data, error } = await agent.storage.from('media').download(path)
  if (error) throw error
  return sha256(Buffer.from(await data.arrayBuffer()))
}

const stored = (rows: MediaRow[]) => rows.filter((r) => r.media_status === 'stored').length

describe('media through the stand-in (PGlite + /storage/v1)', () => {
  it('stores every type in the bucket with the same SHA-256; location and contacts as data', async () => {
    const phone = '5215560000001'
    const h = await start()
    for (const kind of mediaFixtureKinds) expect((await sendFile(h, phone, kind)).status).toBe(202)
    await h.post('/simulator/messages', {
      from: phone,
      location: { latitude: 19.43, longitude: -99.13, name: 'Zócalo' },
    })
    await h.post('/simulator/messages', {
      from: phone,
      contacts: [{ name: 'Ana', phones: ['+5215511112222'] }],
    })
    await waitFor(
      async () => stored(await mediaRows(phone)) === mediaFixtureKinds.length,
      'all stored',
      60_000,
    )
    const rows = await mediaRows(phone)
    expect(rows.map((r) => r.type)).toEqual([
      'image',
      'image',
      'audio',
      'audio',
      'video',
      'sticker',
      'document',
      'location',
      'contacts',
    ])
    for (const [i, kind] of mediaFixtureKinds.entries()) {
      const fixture = mediaFixture(kind)
      const row = rows[i] as MediaRow
      expect(row.media, kind).toMatchObject({
        mimetype: fixture.mimetype,
        size: fixture.data.length,
        sha256: sha256(fixture.data),
      })
      expect(row.media.path?.startsWith(`${DEMO_TENANT_ID}/`)).toBe(true)
      expect(await downloaded(row.media.path ?? '')).toBe(sha256(fixture.data))
    }
    expect(rows[2]?.media).toMatchObject({ wa_type: 'ptt', voice: true })
    expect(rows[7]).toMatchObject({
      media_status: null,
      media: { latitude: 19.43, longitude: -99.13, name: 'Zócalo' },
    })
    expect(rows[8]?.media).toMatchObject({ contacts: [{ name: 'Ana', phones: ['+5215511112222'] }] })
  }, 120_000)

  it('refuses a file over the cap: row kept and failed with the reason, nothing in the bucket', async () => {
    const phone = '5215560000002'
    const h = await start({ mediaLimits: { maxBytes: 1000, documentMaxBytes: 1000 } })
    await sendFile(h, phone, 'jpeg')
    await waitFor(async () => (await mediaRows(phone))[0]?.media_status === 'failed', 'refused', 30_000)
    const [row] = await mediaRows(phone)
    expect(row?.media_error).toMatch(/^too_large: /)
    const conversation = (
      await backend.db.query<{ id: string }>('select id from public.conversations where wa_chat_id = $1', [
        `${phone}@c.us`,
      ])
    ).rows[0]
    const { data } = await backend
      .service()
      .storage.from('media')
      .list(`${DEMO_TENANT_ID}/${conversation?.id}`)
    expect(data).toEqual([])
  }, 60_000)

  it('retries a failed upload from the sweep and stores the file once', async () => {
    const phone = '5215560000003'
    const real = backend.mediaStorage()
    let failures = 1
    const flaky: MediaStorage = {
      upload: async (path, localPath, contentType) => {
        if (failures-- > 0) throw new StoreUnavailableError(`upload ${path}: HTTP 503 (injected)`)
        await real.upload(path, localPath, contentType)
      },
      download: (path) => real.download(path),
      remove: (path) => real.remove(path),
    }
    const h = await start({ storage: flaky })
    await sendFile(h, phone, 'voice')
    await waitFor(
      async () => (await mediaRows(phone))[0]?.media_status === 'failed',
      'first upload failed',
      30_000,
    )
    // The retry is due after 30 s of backoff; bring it forward instead of waiting.
    await backend.db.query(`update public.messages set media_retry_at = now() where id = $1`, [
      (await mediaRows(phone))[0]?.id,
    ])
    // A sweep started by `ready` may still be finishing with the list it read before the update:
    // sweep again until the retry has run.
    await waitFor(
      async () => {
        await h.connector.media.sweep()
        return (await mediaRows(phone))[0]?.media_status === 'stored'
      },
      'the retried upload stored the file',
      30_000,
    )
    const [row] = await mediaRows(phone)
    expect(row?.media_status).toBe('stored')
    expect(await downloaded(row?.media.path ?? '')).toBe(sha256(mediaFixture('voice').data))
  }, 60_000)

  it('database and Storage down while files arrive: afterwards every row and file is there, once', async () => {
    const phone = '5215560000004'
    const h = await start()
    await backend.down()
    try {
      for (const kind of ['png', 'voice', 'pdf'] as const) await sendFile(h, phone, kind)
      await waitFor(() => h.connector.health().bufferDepth === 3, 'buffered', 60_000)
    } finally {
      await backend.up()
    }
    await h.connector.ingest.resume()
    await waitFor(async () => stored(await mediaRows(phone)) === 3, 'stored after the outage', 60_000)
    const rows = await mediaRows(phone)
    expect(rows).toHaveLength(3)
    const folder = rows[0]?.media.path?.split('/').slice(0, 2).join('/') ?? ''
    const { data: objects } = await backend.service().storage.from('media').list(folder)
    expect(objects?.map((o) => o.name).sort()).toEqual(rows.map((r) => r.media.path?.split('/')[2]).sort())
    for (const [i, kind] of (['png', 'voice', 'pdf'] as const).entries()) {
      expect(await downloaded(rows[i]?.media.path ?? '')).toBe(sha256(mediaFixture(kind).data))
    }
  }, 180_000)

  it("sends an agent's image and PDF from the tenant's outgoing/ folder; the phone gets the same SHA-256", async () => {
    const phone = '5215560000005'
    const h = await start()
    await h.post('/simulator/messages', { from: phone, name: 'Lucía', body: '¿me mandas la factura?' })
    await waitFor(
      async () =>
        (
          await backend.db.query('select 1 from public.conversations where wa_chat_id = $1', [
            `${phone}@c.us`,
          ])
        ).rows.length === 1,
      'conversation',
    )
    const conversation = (
      await backend.db.query<{ id: string }>('select id from public.conversations where wa_chat_id = $1', [
        `${phone}@c.us`,
      ])
    ).rows[0]
    const agent = await backend.agent()
    const image = mediaFixture('jpeg')
    const pdf = mediaFixture('pdf')
    for (const [name, file, caption] of [
      ['modelo.jpg', image, 'este modelo'],
      ['factura.pdf', pdf, ''],
    ] as const) {
      const path = `${DEMO_TENANT_ID}/outgoing/${phone}-${name}`
      const upload = await agent.storage
        .from('media')
        .upload(path, file.data, { contentType: file.mimetype, upsert: true })
      expect(upload.error).toBeNull()
      const { error } = await agent.rpc('send_agent_message', {
        p_conversation_id: conversation?.id ?? '',
        p_body: caption,
        p_media: { path, mimetype: file.mimetype, filename: name },
      })
      expect(error).toBeNull()
    }
    const delivered = () => h.sim.outbox().filter((d) => d.chatId === `${phone}@c.us`)
    await waitFor(() => delivered().length === 2, 'both delivered', 60_000)
    const sent = delivered()
    expect(sent.map((d) => ({ body: d.body, media: d.media }))).toEqual([
      { body: 'este modelo', media: sentMedia(image, { filename: 'modelo.jpg' }) },
      { body: '', media: sentMedia(pdf, { filename: 'factura.pdf' }) },
    ])
    await waitFor(
      async () => {
        const { rows } = await backend.db.query<{ status: string }>(
          `select status from public.messages where conversation_id = $1 and direction = 'out' and author = 'agent'`,
          [conversation?.id],
        )
        return rows.length === 2 && rows.every((r) => r.status === 'sent')
      },
      'recorded as sent',
      30_000,
    )
  }, 120_000)
})
