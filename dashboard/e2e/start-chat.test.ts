import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANA, type Rig, startRig } from './harness.ts'

// Start a chat (issue 18, item 7): an agent writes first to a phone number on the WhatsApp Web
// number; the chat opens held by the agent and the message waits in the connector's outbox.
let rig: Rig
let ana: Page

beforeAll(async () => {
  rig = await startRig()
  ana = await rig.newPage('en')
  await rig.signIn(ana, ANA)
})

afterAll(async () => {
  await rig?.close()
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
})
