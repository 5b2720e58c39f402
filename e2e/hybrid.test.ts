import { launchChromium } from '@relevo/testing/chromium'
import { type OpenAiDouble, startOpenAiDouble } from '@relevo/testing/openai-echo-double'
import { simulatorPhone } from '@relevo/testing/simulator-phone'
import { waitFor } from '@relevo/testing/wait-for'
import { startWebhookReceiver, type WebhookReceiver } from '@relevo/testing/webhook-receiver'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { conversationRow, DASHBOARD, heldBy, signIn } from './browser.ts'
import { type System, startSystem } from './system.ts'

// The connector's HTTP port under `./relevo dev`.
const { customerWrites, ownerTypesOnPhone, received, waitForReceived } =
  simulatorPhone('http://127.0.0.1:3100')
// The Graph API double under `./relevo dev`: Meta and the customers of the "Demo Cloud API" number.
const graph = 'http://127.0.0.1:3200/simulator'

// The checklist the business owner was given (seed: "Prueba de mensaje IA → Manual → IA"),
// on the whole system as `./relevo dev` starts it: the stand-in, functions under wrangler dev
// (workerd), the dashboard under vite, the connector with its WhatsApp simulator, and an
// OpenAI-compatible double as the model. Every wait ends on what a person would see.
let ai: OpenAiDouble
let receiver: WebhookReceiver
let system: System
let browser: Browser
let agent: Page

beforeAll(async () => {
  ai = await startOpenAiDouble()
  // The store's own system, listening for events out on loopback: allowed on this private deployment.
  receiver = await startWebhookReceiver()
  system = await startSystem({
    OPENAI_API_KEY: 'sk-e2e-not-a-real-key',
    OPENAI_BASE_URL: ai.baseUrl,
    RELEVO_ALLOW_PRIVATE_URLS: '1',
  })
  browser = await launchChromium()
  agent = await signIn(browser, 'admin@demo.relevo.test', 'relevo-demo')
})

afterAll(async () => {
  await browser?.close()
  await system?.stop()
  await ai?.close()
  await receiver?.close()
})

/** What the model was asked to answer: the last customer message of each request. */
const askedAbout = (phrase: string) =>
  ai.requests.filter((request) => JSON.stringify(request.messages.at(-1)?.content ?? '').includes(phrase))

/** Lucía's events at the store's endpoint, as `type` or `type:to-mode`, in arrival order. */
const luciaEvents = () =>
  receiver.delivered
    .filter((r) => JSON.stringify(r.body.data.conversation ?? {}).includes('Lucía Pérez'))
    .map((r) => (r.body.type === 'mode_changed' ? `mode_changed:${r.body.data.to}` : r.body.type))

describe('the hybrid desk, end to end', () => {
  const lucia = '5215511111111'

  it('the admin adds the store system as a webhook endpoint in Admin → Integrations; its secret is shown once', async () => {
    await agent.goto(`${DASHBOARD}/integrations`)
    await agent.getByLabel('URL').fill(`${receiver.url}/relevo`)
    for (const unwanted of [
      'message_status',
      'conversation_assigned',
      'conversation_closed',
      'handoff_requested',
    ]) {
      await agent.getByRole('checkbox', { name: unwanted }).uncheck()
    }
    await agent.getByRole('button', { name: 'Create' }).click()
    const secret = await agent.getByTestId('webhook-secret').locator('input').inputValue()
    expect(secret).toMatch(/^whsec_/)
    await agent.getByRole('button', { name: 'Send test event' }).click()
    await waitFor(
      () => receiver.delivered.find((r) => r.body.type === 'webhook_test'),
      'the test event',
      60_000,
    )
    await agent
      .getByTestId('webhook-delivery')
      .filter({ hasText: 'webhook_test' })
      .filter({ hasText: '200' })
      .waitFor()
    await agent.reload()
    await agent.getByTestId('webhook-endpoint').waitFor()
    expect(await agent.getByTestId('webhook-secret').count()).toBe(0)
    await agent.goto(`${DASHBOARD}/inbox`)
    await agent.getByTestId('conversation-list').waitFor()
  })

  it('a customer writes and the AI answers on WhatsApp', async () => {
    await customerWrites(lucia, 'Lucía Pérez', 'Hola, ¿tienen envíos a Monterrey?')
    expect(await waitForReceived(lucia, 1)).toEqual(['IA: Hola, ¿tienen envíos a Monterrey?'])
    // The store's system heard the message and the AI's answer (handed to WhatsApp) before anyone takes over.
    await waitFor(() => luciaEvents().includes('message_sent'), 'message_sent at the store', 60_000)
    await heldBy(agent, 'Lucía Pérez', 'AI')
  })

  it('an agent takes over; the AI stays silent while the customer writes twice more; the reply reaches the phone', async () => {
    await conversationRow(agent, 'Lucía Pérez').click()
    await agent.getByRole('button', { name: 'Take over' }).click()
    await heldBy(agent, 'Lucía Pérez', 'Admin Demo')

    await customerWrites(lucia, 'Lucía Pérez', '¿Cuánto cuesta el envío?')
    await customerWrites(lucia, 'Lucía Pérez', '¿Y cuánto tarda?')
    await agent.getByTestId('message').filter({ hasText: '¿Y cuánto tarda?' }).waitFor()

    const composer = agent.getByTestId('composer')
    await composer.fill('Hola Lucía, soy Admin: el envío cuesta $99 y tarda 3 días.')
    await composer.press('Enter')
    const phone = await waitForReceived(lucia, 2)
    // The agent's reply was handed to WhatsApp (message_sent at the store) before the hand-back below.
    await waitFor(
      () => luciaEvents().filter((type) => type === 'message_sent').length >= 2,
      "the agent's message_sent at the store",
      60_000,
    )
    expect(phone).toEqual([
      'IA: Hola, ¿tienen envíos a Monterrey?',
      'Hola Lucía, soy Admin: el envío cuesta $99 y tarda 3 días.',
    ])
  })

  it('the agent hands back and the AI answers the next message', async () => {
    await agent.getByRole('button', { name: 'Hand back to AI' }).click()
    await heldBy(agent, 'Lucía Pérez', 'AI')
    await customerWrites(lucia, 'Lucía Pérez', 'Perfecto, ¿aceptan tarjeta?')
    expect(await waitForReceived(lucia, 3)).toEqual([
      'IA: Hola, ¿tienen envíos a Monterrey?',
      'Hola Lucía, soy Admin: el envío cuesta $99 y tarda 3 días.',
      'IA: Perfecto, ¿aceptan tarjeta?',
    ])
    // The two messages written while a person held the chat never reached the model.
    expect(askedAbout('¿Cuánto cuesta el envío?')).toEqual([])
    expect(askedAbout('¿Y cuánto tarda?')).toEqual([])
  })

  it('the owner typing on the phone takes over the same way, and the AI answers again after hand-back', async () => {
    const mario = '5215522222222'
    await customerWrites(mario, 'Mario Ruiz', '¿Tienen la taza roja?')
    expect(await waitForReceived(mario, 1)).toEqual(['IA: ¿Tienen la taza roja?'])

    await ownerTypesOnPhone(mario, 'Hola Mario, te atiendo yo desde la tienda.')
    await heldBy(agent, 'Mario Ruiz', 'No agent')
    await customerWrites(mario, 'Mario Ruiz', '¿De qué tamaño es?')
    await customerWrites(mario, 'Mario Ruiz', '¿Y el precio?')
    await conversationRow(agent, 'Mario Ruiz').click()
    await agent.getByTestId('message').filter({ hasText: '¿Y el precio?' }).waitFor()

    await agent.getByRole('button', { name: 'Hand back to AI' }).click()
    // Rule 4: the customer's last message is unanswered, so the AI answers it at hand-back.
    expect(await waitForReceived(mario, 2)).toEqual(['IA: ¿Tienen la taza roja?', 'IA: ¿Y el precio?'])
    expect(
      askedAbout('¿De qué tamaño es?').filter(
        (request) => request.messages.at(-1)?.content === '¿De qué tamaño es?',
      ),
    ).toEqual([])
  })

  it('a customer asking for a person gets a person: fallback text, needs attention', async () => {
    const carmen = '5215533333333'
    await customerWrites(carmen, 'Carmen Díaz', 'quiero hablar con una persona')
    const [fallback] = await waitForReceived(carmen, 1)
    expect(fallback).toBe('Te comunico con una persona de nuestro equipo. Te responderemos muy pronto.')
    expect(askedAbout('quiero hablar con una persona')).toEqual([])
    await conversationRow(agent, 'Carmen Díaz').locator('.badge.attention').waitFor()
    expect(await received(carmen)).toHaveLength(1)
  })

  it("the store's system got Lucía's chat in order: received, sent, to a person, back to the AI; the dev log shows it", async () => {
    const expected = [
      'message_received',
      'message_sent',
      'mode_changed:human',
      'message_received',
      'message_received',
      'message_sent',
      'mode_changed:ai',
      'message_received',
      'message_sent',
    ]
    await waitFor(() => luciaEvents().length >= expected.length, "Lucía's events", 60_000)
    expect(luciaEvents()).toEqual(expected)
    expect(new Set(receiver.delivered.map((r) => r.eventId)).size).toBe(receiver.delivered.length)
    expect(system.output()).toMatch(
      /webhook message_received → 127\.0\.0\.1:\d+ 200 in \d+ ms \(attempt 1, delivered\)/,
    )
  })
})

describe('the same hybrid desk on a WhatsApp Cloud API number', () => {
  const pedro = '5215544444444'
  const cloudCustomerWrites = async (body: string) => {
    const response = await fetch(`${graph}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: pedro, name: 'Pedro Gómez', body }),
    })
    expect(response.status).toBe(200)
  }
  /** What Pedro's phone received from the business, oldest first. */
  const pedroReceived = async (count: number) => {
    let texts: string[] = []
    await waitFor(
      async () => {
        const sent = (await (await fetch(`${graph}/sent`)).json()) as Array<{
          to: string
          text: string | null
        }>
        texts = sent.filter((m) => m.to === pedro).map((m) => m.text ?? '')
        return texts.length >= count
      },
      `${count} messages at Pedro's phone`,
      60_000,
    )
    return texts
  }
  const receipts = async () =>
    (await (await fetch(`${graph}/receipts`)).json()) as Array<{ messageId: string; typing: boolean }>

  it('the AI answers, an agent takes over (the phone sees it read), replies, hands back, and the AI answers again', async () => {
    await cloudCustomerWrites('Hola, ¿tienen la taza azul?')
    expect(await pedroReceived(1)).toEqual(['IA: Hola, ¿tienen la taza azul?'])
    // While the AI composed, Pedro saw "typing…".
    expect((await receipts()).some((r) => r.typing)).toBe(true)

    await conversationRow(agent, 'Pedro Gómez').click()
    await agent.getByRole('button', { name: 'Take over' }).click()
    await heldBy(agent, 'Pedro Gómez', 'Admin Demo')
    await cloudCustomerWrites('¿Y cuánto cuesta?')
    await agent.getByTestId('message').filter({ hasText: '¿Y cuánto cuesta?' }).waitFor()
    // The open chat marks each new message read on Pedro's phone, without "typing…".
    await waitFor(
      async () => (await receipts()).some((r) => !r.typing),
      'a read receipt from the desk',
      30_000,
    )

    const composer = agent.getByTestId('composer')
    await composer.fill('Hola Pedro, la taza azul cuesta $150.')
    await composer.press('Enter')
    expect(await pedroReceived(2)).toEqual([
      'IA: Hola, ¿tienen la taza azul?',
      'Hola Pedro, la taza azul cuesta $150.',
    ])

    await agent.getByRole('button', { name: 'Hand back to AI' }).click()
    await heldBy(agent, 'Pedro Gómez', 'AI')
    await cloudCustomerWrites('Gracias, la compro')
    expect(await pedroReceived(3)).toEqual([
      'IA: Hola, ¿tienen la taza azul?',
      'Hola Pedro, la taza azul cuesta $150.',
      'IA: Gracias, la compro',
    ])
    // The message written while the agent held the chat never reached the model.
    expect(askedAbout('¿Y cuánto cuesta?')).toEqual([])
  })
})
