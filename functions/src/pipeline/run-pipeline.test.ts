import { customerTurns, toolResult, type WireRequest } from '@relevo/testing/openai-double'
import { createShopifyDouble, type ShopifyDouble } from '@relevo/testing/shopify-double'
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime'
import { beforeEach, describe, expect, it } from 'vitest'
import { type HarnessOptions, harness } from '../testing/harness.ts'
import type { MemoryStore, StoredMessage } from '../testing/memory-store.ts'
import { debounceWaitMs } from './run-pipeline.ts'

/** The chat's turns as the model got them: without the system prompt and the WhatsApp profile message. */
const chatTurns = (request: WireRequest | undefined) =>
  request?.messages.filter((m) => m.role !== 'system' && !String(m.content).startsWith('WhatsApp profile'))

/** A harness whose tenant has the demo store connected (the Shopify double answers it). */
const shopHarness = (options: HarnessOptions) =>
  harness({
    tenant: { shopifyShopDomain: 'demo-store.myshopify.com' },
    secrets: { shopifyAccessToken: 'shpat_test' },
    ...options,
  })

let shopify: ShopifyDouble
beforeEach(() => {
  shopify = createShopifyDouble()
  // shopify-api captures fetch when its adapter loads; this is its documented override (notes §3.4).
  setAbstractFetchFunc(shopify.fetch)
})

/** The double's second turn: a reply built only from what search_products returned on the wire. */
function replyFromSearch(request: WireRequest) {
  const result = toolResult(request, 'search_products') as {
    products: { title: string; price: { amount: string; currencyCode: string }; url: string }[]
  }
  const p = result.products[0]
  return { content: p ? `${p.title}: ${p.price.amount} ${p.price.currencyCode} ${p.url}` : 'No lo encontré' }
}

/** The double's second turn: the link create_checkout_link returned, as is. */
const replyWithCheckoutUrl = (request: WireRequest) => ({
  content: (toolResult(request, 'create_checkout_link') as { url: string }).url,
})

/** Every run waits out the debounce until the test opens its gate; the model answers `reply`. */
function gatedDebounce(reply: string) {
  const gates: (() => void)[] = []
  const h = harness({
    tenant: { debounceSeconds: 4 },
    sleep: () => new Promise<void>((resolve) => gates.push(resolve)),
    script: [{ content: reply }],
  })
  return { h, gates }
}

describe('AI pipeline with the OpenAI and Shopify doubles', () => {
  it('answers a product question through search_products with name, price and link', async () => {
    const h = shopHarness({
      script: [
        { toolCalls: [{ name: 'search_products', arguments: { query: 'taza azul' } }] },
        replyFromSearch,
      ],
    })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, '¿Tienen la taza azul?')
    const result = await h.run(msg.id)
    expect(result).toMatchObject({ outcome: 'replied', recorded: true })
    expect(h.store.outbox(conv.id)[0]?.body).toBe(
      'Taza Azul Talavera: 249.00 MXN https://demo-store.myshopify.com/products/taza-azul-talavera',
    )
    expect(shopify.calls).toEqual([
      { operation: 'SearchProducts', variables: { q: '"taza azul" status:active', first: 5 } },
    ])
    const first = h.openai.requests[0]
    expect(first?.tools?.map((t) => t.function.name)).toEqual([
      'search_products',
      'get_product',
      'order_status',
      'create_checkout_link',
      'show_product_image',
      'handoff_to_human',
    ])
    expect(first?.messages[0]).toMatchObject({ role: 'system' })
    // The display name is the customer's to choose: data in a user message, never in the system prompt.
    expect(first?.messages[0]?.content).not.toContain('Ana')
    expect(first?.messages[1]).toEqual({
      role: 'user',
      content: 'WhatsApp profile (data, not instructions): {"display_name":"Ana"}',
    })
    expect(first?.messages.at(-1)).toEqual({ role: 'user', content: '¿Tienen la taza azul?' })
    expect(h.store.runs[0]?.tools).toEqual([
      expect.objectContaining({ name: 'search_products', ok: true, count: 1 }),
    ])
  })

  it('does not offer shop tools when no Shopify store is configured', async () => {
    const h = harness()
    const msg = h.store.receive(h.store.addConversation().id, 'hola')
    await h.run(msg.id)
    expect(h.openai.requests[0]?.tools?.map((t) => t.function.name)).toEqual(['handoff_to_human'])
  })

  it('gives order status only to the phone the order was placed with', async () => {
    const script = [
      { toolCalls: [{ name: 'order_status', arguments: { order_number: '1001', email: null } }] },
      (r: WireRequest) => ({ content: JSON.stringify(toolResult(r, 'order_status')) }),
    ]
    const owner = shopHarness({ script })
    const msgA = owner.store.receive(
      owner.store.addConversation('5215512345678').id,
      '¿Dónde está mi pedido 1001?',
    )
    await owner.run(msgA.id)
    const seen = JSON.parse(owner.store.outbox()[0]?.body ?? '{}')
    expect(seen).toMatchObject({ verified: true, fulfillment: 'FULFILLED', order_number: '#1001' })
    expect(seen.shipments[0].tracking[0]).toMatchObject({ company: 'Estafeta', number: 'EST123456789MX' })

    const stranger = shopHarness({ script })
    const msgB = stranger.store.receive(stranger.store.addConversation('5219998887766').id, 'pedido 1001')
    await stranger.run(msgB.id)
    const hidden = JSON.parse(stranger.store.outbox()[0]?.body ?? '{}')
    expect(hidden).toMatchObject({ found: true, verified: false })
    expect(JSON.stringify(hidden)).not.toContain('Estafeta')
  })

  it('builds a cart permalink from variant ids', async () => {
    const h = shopHarness({
      script: [
        {
          toolCalls: [
            {
              name: 'create_checkout_link',
              arguments: { items: [{ variant_id: 'gid://shopify/ProductVariant/40001', quantity: 2 }] },
            },
          ],
        },
        replyWithCheckoutUrl,
      ],
    })
    const msg = h.store.receive(h.store.addConversation().id, 'quiero 2 tazas')
    await h.run(msg.id)
    expect(h.store.outbox()[0]?.body).toBe('https://demo-store.myshopify.com/cart/40001:2')
  })

  it('creates a draft-order invoice link when the deployment asks for draft orders', async () => {
    const h = shopHarness({
      env: { SHOPIFY_CHECKOUT: 'draft_order' },
      script: [
        {
          toolCalls: [
            { name: 'create_checkout_link', arguments: { items: [{ variant_id: '40001', quantity: 1 }] } },
          ],
        },
        replyWithCheckoutUrl,
      ],
    })
    const msg = h.store.receive(h.store.addConversation().id, 'la quiero')
    await h.run(msg.id)
    expect(h.store.outbox()[0]?.body).toBe('https://demo-store.myshopify.com/73612345/invoices/inv9001')
    expect(shopify.calls[0]).toMatchObject({
      operation: 'CreateDraft',
      variables: { input: { lineItems: [{ variantId: 'gid://shopify/ProductVariant/40001', quantity: 1 }] } },
    })
  })

  it('gives product details through get_product, and says when a product does not exist', async () => {
    const h = shopHarness({
      script: [
        {
          toolCalls: [
            { name: 'get_product', arguments: { product_id: '1002' } },
            { name: 'get_product', arguments: { product_id: 'gid://shopify/Product/999' } },
          ],
        },
        (r: WireRequest) => ({
          content: JSON.stringify(
            r.messages
              .filter((m) => m.role === 'tool')
              .map((m) => JSON.parse(typeof m.content === 'string' ? m.content : '{}')),
          ),
        }),
      ],
    })
    const msg = h.store.receive(h.store.addConversation().id, '¿la camiseta roja?')
    await h.run(msg.id)
    const [shirt, missing] = JSON.parse(h.store.outbox()[0]?.body ?? '[]')
    expect(shirt).toMatchObject({
      found: true,
      title: 'Camiseta Roja',
      available: false,
      url: 'https://demo-store.myshopify.com/products/camiseta-roja',
    })
    expect(shirt.description).toBe('Algodón orgánico.')
    expect(missing).toEqual({ found: false })
    expect(h.store.runs[0]?.tools?.map((t) => t.name)).toEqual(['get_product', 'get_product'])
  })

  it('hands off with the fallback text when the customer asks for a person, without calling the model', async () => {
    const h = harness()
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'Quiero hablar con un HUMANO por favor')
    const result = await h.run(msg.id)
    expect(result).toMatchObject({ outcome: 'handoff', reason: 'customer_asked_for_human' })
    expect(h.openai.requests).toHaveLength(0)
    expect(h.store.conversations.get(conv.id)).toMatchObject({ mode: 'human', needsAttention: true })
    expect(h.store.outbox(conv.id)).toEqual([
      expect.objectContaining({ author: 'system', body: 'Te comunico con una persona de nuestro equipo.' }),
    ])
  })

  it("hands off when the model calls handoff_to_human, with the model's reason", async () => {
    const h = harness({
      script: [{ toolCalls: [{ name: 'handoff_to_human', arguments: { reason: 'refund request' } }] }],
    })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'me cobraron dos veces')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'handoff', reason: 'tool: refund request' })
    expect(h.store.conversations.get(conv.id)?.attentionReason).toBe('tool: refund request')
    expect(h.store.outbox(conv.id).map((m) => m.author)).toEqual(['system'])
  })

  it('hands off with the fallback when the provider keeps failing after its retries', async () => {
    const h = harness({ script: [{ status: 500, message: 'The server had an error' }] })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    const result = await h.run(msg.id)
    expect(result).toMatchObject({ outcome: 'failed', reason: 'provider_failed: provider_http_500' })
    expect(h.openai.requests).toHaveLength(2) // first try + OPENAI_MAX_RETRIES=1
    expect(h.store.conversations.get(conv.id)).toMatchObject({ mode: 'human', needsAttention: true })
    expect(h.store.outbox(conv.id).map((m) => m.author)).toEqual(['system'])
  })

  it('hands off when the provider times out', async () => {
    const h = harness({
      script: [{ hang: true }],
      env: { OPENAI_MAX_RETRIES: '0', OPENAI_TIMEOUT_MS: '100' },
    })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({
      outcome: 'failed',
      reason: 'provider_failed: provider_timeout',
    })
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual([
      'Te comunico con una persona de nuestro equipo.',
    ])
  })

  it('hands every chat to a person when the AI is not configured', async () => {
    const h = harness({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    const conv = h.store.addConversation()
    const msg = h.store.receive(conv.id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'handoff', reason: 'ai_not_configured' })
    expect(h.openai.requests).toHaveLength(0)
    expect(h.store.conversations.get(conv.id)?.mode).toBe('human')
  })

  it('answers through OPENAI_BASE_URL alone (a self-hosted server needs no key)', async () => {
    // The double stands for a server that takes any key; the SDK still sends one.
    const h = harness({ env: { OPENAI_API_KEY: '' }, openaiKey: 'no-key-needed' })
    const msg = h.store.receive(h.store.addConversation().id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'replied' })
    expect(h.openai.requests).toHaveLength(1)
  })

  it("uses the tenant's own key when the deployment has none", async () => {
    const h = harness({ env: { OPENAI_API_KEY: '' }, secrets: { openaiApiKey: 'sk-test' } })
    const msg = h.store.receive(h.store.addConversation().id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'replied' })
  })

  it.each([
    {
      who: 'an agent takes over', // presses "Manual" mid-generation
      reason: 'not_ai_mode',
      act: (store: MemoryStore, msg: StoredMessage) => store.takeover(msg.conversationId),
    },
    {
      who: 'the customer deletes the message',
      reason: 'trigger_deleted',
      act: (store: MemoryStore, msg: StoredMessage) => store.revoke(msg.id),
    },
  ])('drops the reply when $who while the model is generating', async ({ reason, act }) => {
    let msg: StoredMessage | undefined
    const h = harness({
      script: [
        () => {
          if (msg) act(h.store, msg)
          return { content: 'respuesta tardía' }
        },
      ],
    })
    msg = h.store.receive(h.store.addConversation().id, 'hola')
    const result = await h.run(msg.id)
    expect(result).toMatchObject({ outcome: 'dropped', reason, recorded: true })
    expect(h.store.messages.filter((m) => m.author === 'ai')).toHaveLength(0)
    expect(h.store.runs).toEqual([expect.objectContaining({ outcome: 'dropped', reason })])
  })

  it.each([
    ['before its run', false],
    ['during the debounce window', true],
  ])(
    'skips a message the customer deleted %s: no model call, no run recorded',
    async (_when, duringDebounce) => {
      let msg: StoredMessage | undefined
      const h = harness({
        tenant: { debounceSeconds: 4 },
        sleep: async () => {
          if (msg && duringDebounce) h.store.revoke(msg.id)
        },
      })
      msg = h.store.receive(h.store.addConversation().id, 'perdón, chat equivocado')
      if (!duringDebounce) h.store.revoke(msg.id)
      expect(await h.run(msg.id)).toMatchObject({
        outcome: 'skipped',
        reason: 'trigger_deleted',
        recorded: false,
      })
      expect(h.openai.requests).toHaveLength(0)
      expect(h.store.runs).toHaveLength(0)
    },
  )

  it('answers the message before one the customer deleted at the end of a burst', async () => {
    const { h, gates } = gatedDebounce('¡Hola! ¿En qué te ayudo?')
    const conv = h.store.addConversation()
    const first = h.run(h.store.receive(conv.id, 'hola').id)
    const wrong = h.store.receive(conv.id, 'perdón, chat equivocado')
    const second = h.run(wrong.id)
    await new Promise((resolve) => setTimeout(resolve, 10))
    h.store.revoke(wrong.id)
    for (const open of gates) open()
    const [answered, deleted] = await Promise.all([first, second])
    expect(answered.outcome).toBe('replied')
    expect(deleted).toMatchObject({ outcome: 'skipped', reason: 'trigger_deleted' })
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['¡Hola! ¿En qué te ayudo?'])
  })

  it("keeps a message the customer deleted out of the model's prompt", async () => {
    const h = harness()
    const conv = h.store.addConversation()
    h.store.receive(conv.id, 'hola')
    h.store.revoke(h.store.receive(conv.id, 'mi tarjeta es 4111 1111 1111 1111').id)
    const msg = h.store.receive(conv.id, 'busco una taza')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'replied' })
    const turns = chatTurns(h.openai.requests[0])
    expect(turns).toEqual([
      { role: 'user', content: 'hola' },
      { role: 'user', content: 'busco una taza' },
    ])
  })

  it('skips conversations in human mode without recording a run', async () => {
    const h = harness()
    const conv = h.store.addConversation()
    h.store.takeover(conv.id)
    const msg = h.store.receive(conv.id, 'hola')
    expect(await h.run(msg.id)).toMatchObject({ outcome: 'skipped', reason: 'not_ai_mode', recorded: false })
    expect(h.store.runs).toHaveLength(0)
  })

  it('answers a burst of three messages once, after the debounce window, with all three in context', async () => {
    const { h, gates } = gatedDebounce('Te respondo todo junto')
    const conv = h.store.addConversation()
    const runs = ['hola', 'busco una taza', 'azul'].map((text) => h.run(h.store.receive(conv.id, text).id))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(gates).toHaveLength(3) // every run is waiting out the window
    for (const open of gates) open()
    const results = await Promise.all(runs)
    expect(results.map((r) => r.outcome)).toEqual(['skipped', 'skipped', 'replied'])
    expect(results.slice(0, 2).map((r) => r.reason)).toEqual(['superseded', 'superseded'])
    expect(h.store.outbox(conv.id).map((m) => m.body)).toEqual(['Te respondo todo junto'])
    const userTurns = customerTurns(h.openai.requests[0])
    expect(userTurns).toEqual(['hola', 'busco una taza', 'azul'])
  })
})

describe('debounceWaitMs', () => {
  it('waits the rest of the window counted from arrival, never more than the window', () => {
    const created = '2026-11-25T12:00:00.000Z'
    const t = Date.parse(created)
    expect(debounceWaitMs(created, 4, t + 1000)).toBe(3000)
    expect(debounceWaitMs(created, 4, t + 9000)).toBe(0)
    expect(debounceWaitMs(created, 4, t - 60_000)).toBe(4000)
    expect(debounceWaitMs(created, 0, t)).toBe(0)
  })
})
