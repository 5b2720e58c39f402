import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type MediaFixtureKind,
  mediaFixture,
  mediaFixtureKinds,
  sha256,
} from '@relevo/testing/media-fixtures'
import { waitFor } from '@relevo/testing/wait-for'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryMediaStorage } from '../store/memory-media-storage.ts'
import { type MemoryRow, MemoryStore, memoryTenantId } from '../store/memory-store.ts'
import { type Harness, harnesses } from '../testing/harness.ts'
import { sentMedia } from '../testing/sent-media.ts'
import { SimulatorTransport } from '../whatsapp/simulator.ts'

const pool = harnesses()
const start = pool.start
afterEach(() => pool.stopAll())

const customer = '5215512345678'

function sendFile(h: Harness, kind: MediaFixtureKind, caption?: string, from = customer) {
  const { data, ...file } = mediaFixture(kind)
  return h.post('/simulator/messages', {
    from,
    name: 'Lucía',
    ...(caption ? { body: caption } : {}),
    media: { ...file, data: data.toString('base64') },
  })
}

const rowOf = (store: MemoryStore, kind: MediaFixtureKind): MemoryRow | undefined =>
  store.rows.find((r) => r.media?.filename === mediaFixture(kind).filename)

describe('incoming media on the simulator with a fake store and bucket', () => {
  it('stores every file type in Storage with the same SHA-256, and location and contacts as data', async () => {
    const store = new MemoryStore()
    const storage = new MemoryMediaStorage()
    const h = await start(store, { storage })
    for (const kind of mediaFixtureKinds)
      expect((await sendFile(h, kind, kind === 'png' ? 'esta' : undefined)).status).toBe(202)
    await h.post('/simulator/messages', {
      from: customer,
      location: { latitude: 19.4326, longitude: -99.1332, name: 'Zócalo', address: 'Centro, CDMX' },
    })
    await h.post('/simulator/messages', {
      from: customer,
      contacts: [{ name: 'Ana', phones: ['+5215511112222'] }],
    })
    await waitFor(
      () => store.rows.filter((r) => r.mediaStatus === 'stored').length === mediaFixtureKinds.length,
      'all stored',
    )

    const expected: Record<MediaFixtureKind, string> = {
      png: 'image',
      jpeg: 'image',
      voice: 'audio',
      audio: 'audio',
      video: 'video',
      sticker: 'sticker',
      pdf: 'document',
    }
    for (const kind of mediaFixtureKinds) {
      const fixture = mediaFixture(kind)
      const row = rowOf(store, kind)
      expect(row?.type, kind).toBe(expected[kind])
      const path = row?.stored?.path ?? ''
      expect(path).toMatch(new RegExp(`^${memoryTenantId}/${row?.conversationId}/${row?.id}\\.[a-z0-9]+$`))
      expect(row?.stored).toMatchObject({
        mimetype: fixture.mimetype,
        size: fixture.data.length,
        sha256: sha256(fixture.data),
      })
      expect(sha256(storage.objects.get(path)?.data ?? Buffer.alloc(0))).toBe(sha256(fixture.data))
      expect(storage.objects.get(path)?.contentType).toBe(fixture.mimetype)
    }
    expect(rowOf(store, 'voice')?.media).toMatchObject({ waType: 'ptt', voice: true })
    expect(rowOf(store, 'png')?.body).toBe('esta')
    expect(store.rows.find((r) => r.type === 'location')).toMatchObject({
      mediaStatus: null,
      media: {
        location: { latitude: 19.4326, longitude: -99.1332, name: 'Zócalo', address: 'Centro, CDMX' },
      },
    })
    expect(store.rows.find((r) => r.type === 'contacts')?.media?.contacts).toEqual([
      { name: 'Ana', phones: ['+5215511112222'] },
    ])
    expect(storage.uploads).toBe(mediaFixtureKinds.length)
    expect(await readdir(join(h.dir, 'media-spool'))).toEqual([])
  })

  it('refuses a file over the cap: the row is kept, failed with the reason, nothing uploaded', async () => {
    const store = new MemoryStore()
    const storage = new MemoryMediaStorage()
    const h = await start(store, { storage, mediaLimits: { maxBytes: 1000, documentMaxBytes: 100_000 } })
    await sendFile(h, 'jpeg', 'mira')
    await sendFile(h, 'pdf')
    await waitFor(() => rowOf(store, 'jpeg')?.mediaStatus === 'failed', 'jpeg refused')
    await waitFor(() => rowOf(store, 'pdf')?.mediaStatus === 'stored', 'pdf stored under the document cap')
    expect(rowOf(store, 'jpeg')).toMatchObject({ body: 'mira', mediaRetryAt: null })
    expect(rowOf(store, 'jpeg')?.mediaError).toMatch(/^too_large: .* over the 0\.0 MB limit$/)
    expect([...storage.objects.keys()].filter((p) => p.endsWith('.jpg'))).toEqual([])
    expect(storage.uploads).toBe(1)
  })

  it('retries a failed upload and a failed download, and stores each file once', async () => {
    const store = new MemoryStore()
    const storage = new MemoryMediaStorage()
    const h = await start(store, { storage })
    storage.failNextUploads(1)
    await sendFile(h, 'png')
    await waitFor(() => rowOf(store, 'png')?.mediaStatus === 'failed', 'upload failed')
    expect(rowOf(store, 'png')?.mediaError).toContain('HTTP 503')
    h.sim.media.failNextDownloads(1)
    await sendFile(h, 'voice')
    await waitFor(() => rowOf(store, 'voice')?.mediaStatus === 'failed', 'download failed')
    await h.connector.media.sweep()
    expect(rowOf(store, 'png')).toMatchObject({ mediaStatus: 'stored', mediaAttempts: 1 })
    expect(rowOf(store, 'voice')).toMatchObject({ mediaStatus: 'stored', mediaAttempts: 1 })
    expect(storage.uploads).toBe(2)
  })

  it('keeps files across a database outage and a restart, then stores every row and file once', async () => {
    const store = new MemoryStore()
    const storage = new MemoryMediaStorage()
    const first = await start(store, { storage })
    store.down = true
    storage.down = true
    for (const kind of ['png', 'voice', 'pdf'] as const) await sendFile(first, kind)
    await waitFor(() => first.connector.health().bufferDepth === 3, 'buffered')
    await waitFor(async () => (await readdir(join(first.dir, 'media-spool'))).length === 6, 'files spooled')
    pool.forget(first)
    await first.stop()
    // The next process: WhatsApp Web no longer hands these files over, the spool has them.
    const next = await start(store, { storage, dir: first.dir, sim: new SimulatorTransport() })
    first.sim.close()
    store.down = false
    storage.down = false
    await next.connector.ingest.resume()
    await waitFor(
      () => store.rows.filter((r) => r.mediaStatus === 'stored').length === 3,
      'stored after the outage',
    )
    expect(store.rows).toHaveLength(3)
    expect(storage.uploads).toBe(3)
    for (const kind of ['png', 'voice', 'pdf'] as const) {
      const path = rowOf(store, kind)?.stored?.path ?? ''
      expect(sha256(storage.objects.get(path)?.data ?? Buffer.alloc(0))).toBe(sha256(mediaFixture(kind).data))
    }
    await next.connector.media.idle()
    expect(await readdir(join(first.dir, 'media-spool'))).toEqual([])
  })
})

describe('outgoing media through the outbox', () => {
  it("sends an agent's image and PDF with their captions; the phone receives the same SHA-256", async () => {
    const store = new MemoryStore()
    const storage = new MemoryMediaStorage()
    const h = await start(store, { storage })
    const image = mediaFixture('jpeg')
    const pdf = mediaFixture('pdf')
    const voice = mediaFixture('voice')
    storage.objects.set('t/outgoing/a.jpg', { data: image.data, contentType: image.mimetype })
    storage.objects.set('t/outgoing/f.pdf', { data: pdf.data, contentType: pdf.mimetype })
    storage.objects.set('t/outgoing/v.ogg', { data: voice.data, contentType: 'audio/ogg' })
    const chat = `${customer}@c.us`
    const rows = [
      store.enqueue(chat, 'este modelo', 'agent', {
        path: 't/outgoing/a.jpg',
        mimetype: image.mimetype,
        voice: false,
      }),
      store.enqueue(chat, '', 'agent', {
        path: 't/outgoing/f.pdf',
        mimetype: pdf.mimetype,
        filename: 'factura.pdf',
        voice: false,
      }),
      store.enqueue(chat, '', 'agent', { path: 't/outgoing/v.ogg', mimetype: 'audio/ogg', voice: true }),
    ]
    await waitFor(() => rows.every((r) => r.status === 'sent'), 'sent')
    expect(h.sim.outbox().map((d) => ({ body: d.body, media: d.media }))).toEqual([
      { body: 'este modelo', media: sentMedia(image) },
      { body: '', media: sentMedia(pdf, { filename: 'factura.pdf' }) },
      { body: '', media: sentMedia(voice, { mimetype: 'audio/ogg', voice: true }) },
    ])
    await h.connector.ingest.idle()
    expect(store.rows.filter((r) => r.author === 'phone')).toHaveLength(0)
  })

  it("converts an agent's MP3 voice note to OGG/Opus with ffmpeg before it reaches the phone (ADR 083)", async () => {
    const store = new MemoryStore()
    const storage = new MemoryMediaStorage()
    const h = await start(store, { storage })
    const mp3 = mediaFixture('audio')
    storage.objects.set('t/outgoing/v.mp3', { data: mp3.data, contentType: mp3.mimetype })
    const row = store.enqueue(`${customer}@c.us`, '', 'agent', {
      path: 't/outgoing/v.mp3',
      mimetype: mp3.mimetype,
      voice: true,
    })
    await waitFor(() => row.status === 'sent', 'sent')
    const [delivered] = h.sim.outbox()
    expect(delivered?.media).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', voice: true })
    expect(delivered?.media?.sha256).not.toBe(sha256(mp3.data))
  })

  it('fails a file that is not in Storage for good, and retries while Storage is unreachable', async () => {
    const store = new MemoryStore()
    const storage = new MemoryMediaStorage()
    await start(store, { storage, maxAttempts: 5 })
    const missing = store.enqueue(`${customer}@c.us`, '', 'agent', {
      path: 't/outgoing/x.png',
      mimetype: 'image/png',
      voice: false,
    })
    await waitFor(() => missing.status === 'failed', 'failed')
    expect(missing.error).toContain('Object not found')
    storage.down = true
    store.backoffScale = 1000
    const later = store.enqueue(`${customer}@c.us`, 'x', 'agent', {
      path: 't/outgoing/y.png',
      mimetype: 'image/png',
      voice: false,
    })
    await waitFor(() => later.status === 'queued' && later.attempts === 1, 'queued again for a retry')
    expect(later.error).toContain('memory storage is down')
  })
})
