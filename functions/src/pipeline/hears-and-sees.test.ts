import {
  customerTurns,
  imageInputs,
  type ScriptStep,
  toolResult,
  type WireRequest,
} from '@relevo/testing/openai-double'
import { createShopifyDouble, type ShopifyDouble } from '@relevo/testing/shopify-double'
import { productImage } from '@relevo/testing/shopify-fixtures'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { beforeEach, describe, expect, it } from 'vitest'
import { type HarnessOptions, harness } from '../testing/harness.ts'
import { TENANT_ID } from '../testing/memory-store.ts'

// The AI hears and sees (ADR 081, 082) with the OpenAI double (chat completions and
// audio/transcriptions on the wire) and the Shopify double (products and their CDN pictures).

const SHOP = { shopifyShopDomain: 'demo-store.myshopify.com' }
const SHOP_SECRETS = { shopifyAccessToken: 'shpat_test' }
const VOICE = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3, 4, 5, 6]) // "OggS…"
const PNG = Uint8Array.from(atob(productImage.base64), (c) => c.charCodeAt(0))

let shopify: ShopifyDouble
beforeEach(() => {
  shopify = createShopifyDouble()
  setAbstractFetchFunc(shopify.fetch)
})

const voiceNote = { type: 'audio', mimetype: 'audio/ogg; codecs=opus', bytes: VOICE }

/** A new chat whose customer sent a voice note. */
function voiceNoteChat(options: HarnessOptions) {
  const h = harness(options)
  const conv = h.store.addConversation()
  const note = h.store.receiveFile(conv.id, voiceNote)
  return { h, conv, note }
}

describe('the AI hears voice notes', () => {
  it('transcribes a voice note, stores the transcript and answers the customer words', async () => {
    const { h, conv, note } = voiceNoteChat({
      transcriptions: [{ text: '¿Tienen la taza azul en existencia?' }],
      script: [(request) => ({ content: `Respuesta a: ${customerTurns(request)?.at(-1)}` })],
    })
    expect(await h.run(note.id)).toMatchObject({ outcome: 'replied' })

    const [sent] = h.openai.transcriptions
    expect(sent?.model).toBe('gpt-4o-mini-transcribe')
    expect(sent?.mimetype).toBe('audio/ogg')
    expect([...(sent?.bytes ?? [])]).toEqual([...VOICE])
    expect(h.store.messages.find((m) => m.id === note.id)?.transcript).toBe(
      '¿Tienen la taza azul en existencia?',
    )
    expect(customerTurns(h.openai.requests[0])).toEqual(['¿Tienen la taza azul en existencia?'])
    expect(h.store.outbox(conv.id)[0]?.body).toBe('Respuesta a: ¿Tienen la taza azul en existencia?')
  })

  it('uses the tenant model, and does not transcribe a voice note twice', async () => {
    const { h, conv, note } = voiceNoteChat({
      tenant: { transcriptionModel: 'whisper-1' },
      transcriptions: [{ text: 'hola' }],
      script: [{ content: 'uno' }, { content: 'dos' }],
    })
    await h.run(note.id)
    const text = h.store.receive(conv.id, 'y otra cosa')
    await h.run(text.id)
    expect(h.openai.transcriptions.map((t) => t.model)).toEqual(['whisper-1'])
    expect(customerTurns(h.openai.requests[1])).toEqual(['hola', 'y otra cosa'])
  })

  it('a voice note said "persona" hands off by keyword without calling the model', async () => {
    const { h, note } = voiceNoteChat({ transcriptions: [{ text: 'Quiero hablar con una persona' }] })
    expect(await h.run(note.id)).toMatchObject({ outcome: 'handoff', reason: 'customer_asked_for_human' })
    expect(h.openai.requests).toHaveLength(0)
  })

  it('a failed transcription still gets a reply when the customer also wrote', async () => {
    const h = harness({
      transcriptions: [{ status: 500, message: 'transcription backend down' }],
      script: [{ content: '¿Me lo puedes escribir?' }],
    })
    const conv = h.store.addConversation()
    h.store.receiveFile(conv.id, voiceNote)
    const text = h.store.receive(conv.id, 'te mandé un audio')
    expect(await h.run(text.id)).toMatchObject({ outcome: 'replied' })
    expect(customerTurns(h.openai.requests[0])).toEqual([
      '[voice note: it could not be transcribed]',
      'te mandé un audio',
    ])
    expect(h.store.outbox(conv.id)[0]?.body).toBe('¿Me lo puedes escribir?')
  })

  it('hands off with the reason when the only message is a voice note that cannot be transcribed', async () => {
    const { h, conv, note } = voiceNoteChat({ transcriptions: [{ status: 503, message: 'overloaded' }] })
    expect(await h.run(note.id)).toMatchObject({
      outcome: 'handoff',
      reason: 'media_not_understood: transcription_failed',
    })
    expect(h.openai.requests).toHaveLength(0)
    expect(h.store.conversations.get(conv.id)?.attentionReason).toBe(
      'media_not_understood: transcription_failed',
    )
  })

  it('hands off when the file never arrived in Storage within the media budget', async () => {
    const { h, note } = voiceNoteChat({ transcriptions: [{ text: 'nunca' }] })
    Object.assign(note, { mediaStatus: 'pending' })
    // The harness sleeps without waiting: move the store's clock so the budget runs out.
    h.deps.sleep = async (ms) => h.store.advance(ms)
    expect(await h.run(note.id)).toMatchObject({ reason: 'media_not_understood: media_not_stored' })
    expect(h.openai.transcriptions).toHaveLength(0)
  })
})

describe('the AI sees photos and reads file names', () => {
  const pngPhoto = (caption: string) => ({ type: 'image', mimetype: 'image/png', bytes: PNG, caption })

  it('sends a photo as image input (a data URL) with its caption', async () => {
    const h = harness({ script: [{ content: 'Sí, lo tenemos' }] })
    const conv = h.store.addConversation()
    const photo = h.store.receiveFile(conv.id, pngPhoto('¿tienen este modelo?'))
    expect(await h.run(photo.id)).toMatchObject({ outcome: 'replied' })
    expect(imageInputs(h.openai.requests[0])).toEqual([`data:image/png;base64,${productImage.base64}`])
    const turn = h.openai.requests[0]?.messages.at(-1)
    expect(turn?.content).toEqual([
      { type: 'text', text: '¿tienen este modelo?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${productImage.base64}` } },
    ])
  })

  it('only names the photo when the tenant says its model takes no images', async () => {
    const h = harness({ tenant: { aiAcceptsImages: false }, script: [{ content: 'ok' }] })
    const conv = h.store.addConversation()
    const photo = h.store.receiveFile(conv.id, pngPhoto('mira'))
    await h.run(photo.id)
    expect(imageInputs(h.openai.requests[0])).toEqual([])
    expect(customerTurns(h.openai.requests[0])).toEqual(['[photo] mira'])
  })

  it('names a document with its file name, type and size', async () => {
    const h = harness({ script: [{ content: 'Recibido' }] })
    const conv = h.store.addConversation()
    const doc = h.store.receiveFile(conv.id, {
      type: 'document',
      mimetype: 'application/pdf',
      bytes: new Uint8Array(3000),
      filename: 'factura-1001.pdf',
    })
    await h.run(doc.id)
    expect(customerTurns(h.openai.requests[0])).toEqual([
      '[document: factura-1001.pdf, application/pdf, 3 KB]',
    ])
  })
})

describe('the AI shows a product', () => {
  const showImage = (request: WireRequest) => {
    const found = toolResult(request, 'search_products') as { products: { image_url: string | null }[] }
    return {
      toolCalls: [{ name: 'show_product_image', arguments: { image_url: found.products[0]?.image_url } }],
    }
  }

  /** The model searches the blue mug, shows the first product's picture, then says `reply`. */
  const searchShowAndSay = (reply: string): ScriptStep[] => [
    { toolCalls: [{ name: 'search_products', arguments: { query: 'taza azul' } }] },
    showImage,
    { content: reply },
  ]

  /** A chat with the shop's tenant whose customer just wrote `text`; `imageFetch` answers picture requests. */
  function shopChat(text: string, script: ScriptStep[], imageFetch: HarnessOptions['imageFetch']) {
    const h = harness({ tenant: SHOP, secrets: SHOP_SECRETS, imageFetch, script })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, text)
    return { h, conv, msg }
  }

  it('search_products returns the image URL, and the reply carries the image stored under the tenant ai/ folder', async () => {
    const { h, conv, msg } = shopChat(
      '¿Cómo es la taza azul?',
      searchShowAndSay('Esta es la Taza Azul Talavera, 249 MXN'),
      (input, init) => shopify.fetch(input, init),
    )
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'replied' })
    const [reply] = h.store.outbox(conv.id)
    expect(reply).toMatchObject({ type: 'image', body: 'Esta es la Taza Azul Talavera, 249 MXN' })
    const media = reply?.media as { path: string; mimetype: string; size: number; sha256: string }
    expect(media.path).toMatch(new RegExp(`^${TENANT_ID}/ai/[0-9a-f-]{36}\\.png$`))
    expect(media).toMatchObject({ mimetype: 'image/png', size: PNG.byteLength })
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', PNG))
    expect(media.sha256).toBe([...digest].map((b) => b.toString(16).padStart(2, '0')).join(''))
    expect([...(h.store.files.get(media.path)?.bytes ?? [])]).toEqual([...PNG])
    expect(shopify.imageRequests).toEqual([productImage.url])
  })

  it('refuses an image URL no product tool returned, and never fetches it', async () => {
    const { h, conv, msg } = shopChat(
      'muéstrame',
      [
        { toolCalls: [{ name: 'show_product_image', arguments: { image_url: 'https://evil.test/x.png' } }] },
        { content: 'No puedo mostrarla' },
      ],
      (input, init) => shopify.fetch(input, init),
    )
    await h.run(msg.id)
    expect(toolResult(h.openai.requests[1] as WireRequest, 'show_product_image')).toMatchObject({
      shown: false,
    })
    expect(h.store.outbox(conv.id)[0]).toMatchObject({ type: 'text', body: 'No puedo mostrarla' })
    expect(shopify.imageRequests).toEqual([])
  })

  it('sends the text alone when the picture cannot be fetched', async () => {
    const { h, conv, msg } = shopChat(
      'la taza azul',
      searchShowAndSay('Aquí la tienes'),
      async () => new Response('gone', { status: 404 }),
    )
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'replied' })
    expect(h.store.outbox(conv.id)[0]).toMatchObject({ type: 'text', body: 'Aquí la tienes', media: null })
  })
})
