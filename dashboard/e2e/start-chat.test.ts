import type { FunctionsProcess } from '@relevo/testing/functions-process'
import { createGraphApiDouble, DEMO_NUMBER } from '@relevo/testing/graph-api-double'
import { type Served, serve } from '@relevo/testing/serve'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pointAtFunctions, startRigFunctions } from './functions.ts'
import { ANA, useRig } from './harness.ts'

// Start a chat (issue 18, item 7): an agent writes first to a phone number on the WhatsApp Web
// number; the chat opens held by the agent and the message waits in the connector's outbox. On a
// Cloud API number it starts with an approved template, listed through the functions from a Graph
// API double.
const rig = useRig()
let ana: Page
let graph: Served | undefined
let functions: FunctionsProcess | undefined

beforeAll(async () => {
  ana = await rig.pageAs(ANA)
})

afterAll(async () => {
  await functions?.stop()
  await graph?.close()
})

async function startChat(phone: string, name: string, body: string): Promise<string> {
  await ana.getByRole('link', { name: 'New chat' }).click()
  const form = ana.getByTestId('start-chat')
  await form.getByLabel("Customer's phone").fill(phone)
  await form.getByLabel('Name (optional)').fill(name)
  await form.getByLabel('Message').fill(body)
  await form.getByRole('button', { name: 'Send' }).click()
  await ana.waitForURL(/\/inbox\/[0-9a-f-]{36}$/)
  return ana.url().split('/').at(-1) as string
}

describe('start a chat', () => {
  it('refuses a number without its country code before sending', async () => {
    await ana.getByRole('link', { name: 'New chat' }).click()
    const form = ana.getByTestId('start-chat')
    await form.getByLabel("Customer's phone").fill('55 1234')
    await form.getByText('Type the number with its country code').waitFor()
    await expect(form.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true)
  })

  it('opens a new chat held by the agent, with the first message queued for WhatsApp', async () => {
    const id = await startChat('+52 1 (55) 4444-3333', 'Nuevo Cliente', 'Hola, te escribimos de Demo Store')
    await ana.getByTestId('message').filter({ hasText: 'Hola, te escribimos de Demo Store' }).waitFor()
    const row = ana.getByTestId('conversation-row').filter({ hasText: 'Nuevo Cliente' })
    await row.getByTestId('holder-badge').filter({ hasText: 'Ana' }).waitFor()
    const { rows } = await rig.db.query<{ wa_chat_id: string; mode: string; status: string; author: string }>(
      `select c.wa_chat_id, c.mode, m.status, m.author from public.conversations c
       join public.messages m on m.conversation_id = c.id and not m.private where c.id = $1`,
      [id],
    )
    expect(rows).toEqual([
      { wa_chat_id: '5215544443333@c.us', mode: 'human', status: 'queued', author: 'agent' },
    ])
  })

  it("writing to a customer's number opens the chat they already have", async () => {
    const earlier = await rig.customerWrites(
      '5215533332222',
      'Cliente Previo',
      'Hola, ¿tienen tallas grandes?',
    )
    const id = await startChat('+5215533332222', '', 'Sí, ya llegaron')
    expect(id).toBe(earlier.conversationId)
    await ana.getByTestId('message').filter({ hasText: '¿tienen tallas grandes?' }).waitFor()
    await ana.getByTestId('message').filter({ hasText: 'Sí, ya llegaron' }).waitFor()
  })

  it('on a Cloud API number the chat starts with an approved template and its parameters', async () => {
    graph = await serve(createGraphApiDouble().handle)
    functions = await startRigFunctions(rig, {
      GRAPH_API_URL: graph.url,
    })
    // The seed's demo Cloud API number (DEMO_NUMBER), whose token the double accepts.
    await pointAtFunctions(ana, functions)

    await ana.goto(`${rig.site.url}/inbox/new`)
    const form = ana.getByTestId('start-chat')
    await form
      .getByLabel('From the number')
      .selectOption({ label: `${DEMO_NUMBER.displayPhoneNumber} · Cloud API` })
    await form.getByLabel("Customer's phone").fill('+52 1 55 2222 1111')
    await form.getByLabel('Name (optional)').fill('Rosa Cloud')
    expect(await form.getByLabel('Message').count()).toBe(0)
    const template = ana.getByTestId('start-chat-template')
    await template.getByRole('button', { name: 'Choose a template' }).click()
    await template.getByTestId('template-select').selectOption('order_update:es_MX')
    await template.getByLabel('Parameter 1').fill('Rosa')
    await template.getByLabel('Parameter 2').fill('#1001')
    await template.getByText('Hola Rosa, tu pedido #1001 va en camino.').waitFor()
    await template.getByRole('button', { name: 'Send template' }).click()
    await ana.waitForURL(/\/inbox\/[0-9a-f-]{36}$/)
    const id = ana.url().split('/').at(-1)
    await ana.getByTestId('message').filter({ hasText: 'Hola Rosa, tu pedido #1001 va en camino.' }).waitFor()
    const { rows } = await rig.db.query<{ wa_chat_id: string; template: string; status: string }>(
      `select c.wa_chat_id, m.template ->> 'name' as template, m.status from public.conversations c
       join public.messages m on m.conversation_id = c.id and not m.private where c.id = $1`,
      [id],
    )
    expect(rows).toEqual([{ wa_chat_id: '5215522221111', template: 'order_update', status: 'queued' }])
  })
})
