import { sha256 } from '@relevo/testing/media-fixtures'
import { customerTurns, imageInputs } from '@relevo/testing/openai-double'
import { createShopifyDouble, type ShopifyDouble } from '@relevo/testing/shopify-double'
import { productImage } from '@relevo/testing/shopify-fixtures'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { beforeEach, describe, expect, it } from 'vitest'
import { postRpc } from './agent-rpc.ts'
import { type Backend, backendPerTest, CHANNEL_ID, TENANT_ID } from './backend.ts'
import { connectDemoStore } from './connect-store.ts'

// The AI hears and sees (ADR 081, 082) against the real SQL and Storage of the local stand-in:
// the connector's part (ingest_message, the upload, mark_media_stored) is the backend's ingestFile.

const start = backendPerTest()
let shopify: ShopifyDouble
beforeEach(() => {
  shopify = createShopifyDouble({ tokens: ['shpat_tenant'] })
  setAbstractFetchFunc(shopify.fetch)
})

async function messages(b: Backend, conversationId: string) {
  const { rows } = await b.db.query<{
    id: string
    author: string
    type: string
    body: string
    transcript: string | null
    media: { path: string; mimetype: string; size: number; sha256: string } | null
    status: string
  }>(
    `select id, author, type, body, transcript, media, status from public.messages
     where conversation_id = $1 and type <> 'event' order by created_at`,
    [conversationId],
  )
  return rows
}

describe('the AI hears and sees through the local stand-in', () => {
  it('voice note → transcript stored → the reply uses it → search finds a word of it', async () => {
    const b = await start({
      transcriptions: [{ text: 'Hola, quiero saber si tienen almohadas de plumas' }],
      script: [(request) => ({ content: `Sobre "${customerTurns(request)?.at(-1)}": sí, tenemos.` })],
    })
    const { messageId, conversationId, fixture } = await b.ingestFile('voice')
    await b.settle()

    const [received] = b.openai.transcriptions
    expect(received?.model).toBe('gpt-4o-mini-transcribe')
    expect(sha256(Buffer.from(received?.bytes ?? []))).toBe(sha256(fixture.data))
    const rows = await messages(b, conversationId)
    expect(rows.find((m) => m.id === messageId)?.transcript).toBe(
      'Hola, quiero saber si tienen almohadas de plumas',
    )
    expect(rows.filter((m) => m.author === 'ai')).toEqual([
      expect.objectContaining({
        body: 'Sobre "Hola, quiero saber si tienen almohadas de plumas": sí, tenemos.',
        status: 'queued',
      }),
    ])

    const ana = await b.signIn('ana@demo.relevo.test')
    const search = await postRpc(b, ana, 'search_messages', { p_query: 'almohada' })
    const hits = (await search.json()) as { message_id: string; snippet: string }[]
    // The voice note by its transcript (the AI's reply, which quotes it, is a hit too).
    expect(hits.find((h) => h.message_id === messageId)?.snippet).toContain('\uE000almohadas\uE001')
  })

  it('a voice note in a chat a person holds is transcribed for the agent, and the AI stays out', async () => {
    const b = await start({ transcriptions: [{ text: 'Mi pedido llegó roto' }] })
    const phone = '5215576543210'
    const first = await b.ingest('Hola', { phone })
    await b.settle()
    await b.db.query(`update public.conversations set mode = 'human' where id = $1`, [first.conversationId])
    const runsBefore = await b.db.query('select id from public.ai_runs')
    const { messageId, conversationId } = await b.ingestFile('voice', { phone })
    expect(conversationId).toBe(first.conversationId)
    await b.settle()

    expect(b.openai.transcriptions).toHaveLength(1)
    const rows = await messages(b, conversationId)
    expect(rows.find((m) => m.id === messageId)?.transcript).toBe('Mi pedido llegó roto')
    // No reply after the voice note, and no run: the person answers.
    expect(rows.at(-1)?.id).toBe(messageId)
    expect((await b.db.query('select id from public.ai_runs')).rows).toEqual(runsBefore.rows)
  })

  it('a failed transcription hands the lone voice note to a person with the reason', async () => {
    const b = await start({ transcriptions: [{ status: 500, message: 'whisper crashed' }] })
    const { conversationId } = await b.ingestFile('voice')
    await b.settle()
    const { rows } = await b.db.query<{ mode: string; attention_reason: string }>(
      'select mode, attention_reason from public.conversations where id = $1',
      [conversationId],
    )
    expect(rows[0]).toEqual({ mode: 'human', attention_reason: 'media_not_understood: transcription_failed' })
    expect(b.openai.transcriptions).toHaveLength(1)
    expect(b.openai.requests).toHaveLength(0)
    expect((await messages(b, conversationId)).map((m) => m.author)).toEqual(['customer', 'system'])
  })

  it('a photo reaches the model as image input with its caption', async () => {
    const b = await start({ script: [{ content: 'Sí, ese modelo lo tenemos' }] })
    const { conversationId, fixture } = await b.ingestFile('png', { caption: '¿tienen este modelo?' })
    await b.settle()
    expect(imageInputs(b.openai.requests[0])).toEqual([
      `data:image/png;base64,${fixture.data.toString('base64')}`,
    ])
    expect((await messages(b, conversationId)).at(-1)).toMatchObject({
      author: 'ai',
      body: 'Sí, ese modelo lo tenemos',
    })
  })

  it('a product image reply is stored under the tenant ai/ folder and queued in the outbox with its media', async () => {
    const b = await start({
      deps: { imageFetch: (input, init) => shopify.fetch(input, init) },
      script: [
        { toolCalls: [{ name: 'search_products', arguments: { query: 'taza azul' } }] },
        { toolCalls: [{ name: 'show_product_image', arguments: { image_url: productImage.url } }] },
        { content: 'Esta es la Taza Azul Talavera' },
      ],
    })
    await connectDemoStore(b, 'shpat_tenant')
    const { conversationId } = await b.ingest('¿Me enseñas la taza azul?')
    await b.settle()

    const reply = (await messages(b, conversationId)).find((m) => m.author === 'ai')
    expect(reply).toMatchObject({ type: 'image', body: 'Esta es la Taza Azul Talavera', status: 'queued' })
    const png = Buffer.from(productImage.base64, 'base64')
    expect(reply?.media).toEqual({
      path: expect.stringMatching(new RegExp(`^${TENANT_ID}/ai/[0-9a-f-]{36}\\.png$`)),
      mimetype: 'image/png',
      size: png.length,
      sha256: sha256(png),
    })
    const file = await b.service.storage.from('media').download(reply?.media?.path ?? '')
    expect(sha256(Buffer.from(await (file.data as Blob).arrayBuffer()))).toBe(sha256(png))
    // The connector's claim hands it the descriptor, like an agent's file (ADR 086).
    const claimed = await b.service.rpc('claim_outbox', { p_channel_id: CHANNEL_ID, p_worker: 'test' })
    expect(claimed.data).toEqual([
      expect.objectContaining({ id: reply?.id, type: 'image', media: reply?.media }),
    ])
  })
})
