import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, CHANNEL, useRig } from './harness.ts'

// The agents' desk in real Chromium against the local stand-in (PGlite + seed). Each step waits for
// what an agent would see; waits end on the element, never on a fixed delay.
const rig = useRig()
let admin: Page
let conversationId: string

beforeAll(async () => {
  admin = await rig.pageAs(ADMIN)
})

const row = (page: Page, name: string) => page.getByTestId('conversation-row').filter({ hasText: name })

describe('the agents desk', () => {
  it('shows a customer message live, without reload, at the top with an unread badge', async () => {
    await rig.customerWrites('5215500000001', 'Old Chat', 'earlier question')
    await row(admin, 'Old Chat').waitFor()
    const written = await rig.customerWrites(
      '5215512345678',
      'Lucía Pérez',
      '¿Tienen la camiseta en talla M?',
    )
    conversationId = written.conversationId
    const lucia = row(admin, 'Lucía Pérez')
    await lucia.waitFor()
    await expect(lucia.getByTestId('unread-badge').textContent()).resolves.toBe('1')
    await expect(lucia.getByTestId('holder-badge').textContent()).resolves.toBe('AI')
    const names = await admin.getByTestId('conversation-row').locator('.name').allTextContents()
    expect(names.slice(0, 2)).toEqual(['Lucía Pérez', 'Old Chat'])
    await admin.waitForFunction(() => document.title === '(2) Relevo')
  })

  it('takes over at once: the badge names the agent and the thread says so', async () => {
    await row(admin, 'Lucía Pérez').click()
    await admin.getByRole('button', { name: 'Take over' }).click()
    await admin.getByTestId('system-event').filter({ hasText: 'Admin Demo took over' }).waitFor()
    await row(admin, 'Lucía Pérez').getByTestId('holder-badge').filter({ hasText: 'Admin Demo' }).waitFor()
    const conv = await rig.db.query<{ mode: string }>('select mode from public.conversations where id = $1', [
      conversationId,
    ])
    expect(conv.rows[0]?.mode).toBe('human')
  })

  it('sends a reply: one queued outgoing message row, shown as queued', async () => {
    const composer = admin.getByTestId('composer')
    await composer.fill('Sí, tenemos talla M')
    await composer.press('Enter')
    await admin
      .getByTestId('message')
      .filter({ hasText: 'Sí, tenemos talla M' })
      .getByTestId('delivery-state')
      .waitFor()
    const sent = await rig.db.query<{
      status: string
      author: string
      direction: string
      client_ref: string | null
    }>(
      `select status, author, direction, client_ref from public.messages where conversation_id = $1 and body = $2`,
      [conversationId, 'Sí, tenemos talla M'],
    )
    expect(sent.rows).toHaveLength(1)
    expect(sent.rows[0]).toMatchObject({ status: 'queued', author: 'agent', direction: 'out' })
    expect(sent.rows[0]?.client_ref).toBeTruthy()
    await expect(composer.inputValue()).resolves.toBe('')
  })

  it('keeps Shift+Enter as a new line and refuses an empty or overlong message', async () => {
    const composer = admin.getByTestId('composer')
    await composer.fill('line one')
    await composer.press('Shift+Enter')
    await composer.pressSequentially('line two')
    await expect(composer.inputValue()).resolves.toBe('line one\nline two')
    const before = await rig.db.query(
      'select count(*)::int as n from public.messages where conversation_id = $1',
      [conversationId],
    )
    await composer.fill('   ')
    await expect(admin.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true)
    await composer.press('Enter')
    await expect(admin.getByTestId('pending-message').count()).resolves.toBe(0)
    const after = await rig.db.query(
      'select count(*)::int as n from public.messages where conversation_id = $1',
      [conversationId],
    )
    expect(after.rows).toEqual(before.rows)
    await composer.fill('x'.repeat(4097))
    await admin.getByRole('alert').filter({ hasText: 'At most 4096 characters' }).waitFor()
    await expect(admin.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true)
    await composer.fill('')
  })

  it('hands back to the AI', async () => {
    await admin.getByRole('button', { name: 'Hand back to AI' }).click()
    await row(admin, 'Lucía Pérez').getByTestId('holder-badge').filter({ hasText: /^AI$/ }).waitFor()
    await admin
      .getByTestId('system-event')
      .filter({ hasText: 'Admin Demo handed the chat back to the AI' })
      .waitFor()
    await admin.getByRole('button', { name: 'Take over' }).waitFor()
  })

  it('shows a second agent who is typing in the same chat', async () => {
    const ana = await rig.newPage('es')
    try {
      await rig.signIn(ana, ANA)
      await row(ana, 'Lucía Pérez').click()
      await admin.getByTestId('composer').pressSequentially('Un momento')
      await ana
        .getByTestId('typing-indicator')
        .filter({ hasText: 'Admin Demo está escribiendo aquí' })
        .waitFor()
      await ana.getByTestId('composer').pressSequentially('Hola')
      await admin.getByTestId('typing-indicator').filter({ hasText: 'Ana is typing here' }).waitFor()
    } finally {
      await admin.getByTestId('composer').fill('')
      await ana.context().close()
    }
  })

  it('queues sends while offline, shows the banner, and delivers once when back', async () => {
    const context = admin.context()
    await context.setOffline(true)
    await admin.getByTestId('connection-banner').waitFor()
    const composer = admin.getByTestId('composer')
    await composer.fill('Enviado sin conexión')
    await composer.press('Enter')
    await admin.getByTestId('pending-message').filter({ hasText: 'Enviado sin conexión' }).waitFor()
    await admin.getByTestId('connection-banner').filter({ hasText: '1 queued' }).waitFor()
    await context.setOffline(false)
    await admin.getByTestId('message').filter({ hasText: 'Enviado sin conexión' }).waitFor()
    await admin.getByTestId('connection-banner').waitFor({ state: 'detached' })
    const rows = await rig.db.query(
      'select 1 from public.messages where conversation_id = $1 and body = $2',
      [conversationId, 'Enviado sin conexión'],
    )
    expect(rows.rows).toHaveLength(1)
  })

  it('sends an expired session to sign-in and keeps the draft', async () => {
    const composer = admin.getByTestId('composer')
    await composer.fill('borrador sin enviar')
    // The server forgets the session; the stored access token is past its expiry.
    await rig.db.query('delete from auth.sessions where user_id = $1', [
      '00000000-0000-4000-8000-000000001001',
    ])
    await admin.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('relevo.auth') ?? '{}')
      localStorage.setItem('relevo.auth', JSON.stringify({ ...stored, expires_at: 1 }))
    })
    await admin.reload()
    await admin.getByRole('status').filter({ hasText: 'Your session expired' }).waitFor()
    await admin.getByLabel('Email').fill(ADMIN.email)
    await admin.getByLabel('Password').fill(ADMIN.password)
    await admin.getByRole('button', { name: 'Sign in' }).click()
    await admin.getByTestId('composer').waitFor()
    await expect(admin.getByTestId('composer').inputValue()).resolves.toBe('borrador sin enviar')
    expect(new URL(admin.url()).pathname).toBe(`/inbox/${conversationId}`)
  })

  it('keeps private notes apart and fills a canned reply with /', async () => {
    await admin.getByRole('button', { name: 'Note' }).click()
    const composer = admin.getByTestId('composer')
    await composer.fill('Cliente VIP, ofrecer envío gratis')
    await composer.press('Enter')
    await admin.getByTestId('message').filter({ hasText: 'Cliente VIP' }).getByText('Private note').waitFor()
    const note = await rig.db.query<{ private: boolean; type: string; status: string }>(
      'select private, type, status from public.messages where conversation_id = $1 and body like $2',
      [conversationId, 'Cliente VIP%'],
    )
    expect(note.rows).toEqual([{ private: true, type: 'note', status: 'received' }])

    await admin.getByRole('button', { name: 'Reply' }).click()
    await composer.fill('/env')
    await admin.getByTestId('canned-menu').getByText('/envio').waitFor()
    await composer.press('Enter')
    await expect(composer.inputValue()).resolves.toBe('Los envíos tardan de 2 a 5 días hábiles.')
    await composer.fill('')
  })

  it('shows what the AI did under its reply', async () => {
    const trigger = await rig.customerWrites('5215577777777', 'Mario Ruiz', 'Busco tenis para correr')
    await rig.aiReplies(trigger, 'Tenemos 3 modelos para correr: …', [
      { name: 'search_products', ok: true, ms: 120, count: 3 },
    ])
    await row(admin, 'Mario Ruiz').click()
    const reply = admin.getByTestId('message').filter({ hasText: 'Tenemos 3 modelos' })
    await expect(reply.getAttribute('data-author')).resolves.toBe('ai')
    await reply.getByText('What the AI did').click()
    await reply.getByText('Tools: search_products').waitFor()
    await reply.getByText('3 products found').waitFor()
  })

  it('filters by needs-attention with its reason, searches by phone, and moves with the keyboard', async () => {
    await rig.aiHandsOff(conversationId, 'customer asked for a person')
    await admin.locator('[data-filter="attention"]').click()
    const attention = admin.getByTestId('conversation-row')
    await attention.filter({ hasText: 'customer asked for a person' }).waitFor()
    await expect(attention.locator('.name').allTextContents()).resolves.toEqual(['Lucía Pérez'])

    await admin.locator('[data-filter="all"]').click()
    const search = admin.getByRole('searchbox')
    await search.fill('55 0000 0001')
    await expect(admin.getByTestId('conversation-row').locator('.name').allTextContents()).resolves.toEqual([
      'Old Chat',
    ])
    await search.fill('')
    await admin.getByTestId('conversation-row').nth(2).waitFor()
    await search.press('ArrowDown')
    await admin.keyboard.press('ArrowDown')
    const second = admin.getByTestId('conversation-row').nth(1)
    await expect(second.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    await admin.keyboard.press('Enter')
    const id = await second.getAttribute('data-conversation-id')
    await admin.waitForURL(`**/inbox/${id}`)
    // The chat opens with the cursor in the composer; Escape goes back to its row in the list.
    await admin.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'composer')
    await admin.keyboard.press('Escape')
    await expect(second.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
  })

  it('assigns, unassigns, closes and reopens, each shown at once and in the thread', async () => {
    await admin.goto(`${rig.site.url}/inbox/${conversationId}`)
    const assign = admin.getByRole('combobox', { name: 'Assign to' })
    await assign.selectOption({ label: 'Assign to: Ana' })
    await admin
      .getByTestId('system-event')
      .filter({ hasText: 'Admin Demo assigned the chat to Ana' })
      .waitFor()
    await row(admin, 'Lucía Pérez').getByTestId('holder-badge').filter({ hasText: 'Ana' }).waitFor()

    // The Agents page: who is online, and each agent's open chats, one click away.
    await admin.getByRole('link', { name: /^Agents/ }).click()
    const anaRow = admin.getByTestId('agent-row').filter({ hasText: 'Ana' })
    await expect(anaRow.getAttribute('data-online')).resolves.toBe('false')
    await expect(
      admin.getByTestId('agent-row').filter({ hasText: 'Admin Demo' }).getAttribute('data-online'),
    ).resolves.toBe('true')
    await anaRow.getByRole('link', { name: '1 open chats' }).click()
    await admin.getByText("Ana's chats").waitFor()
    await expect(admin.getByTestId('conversation-row').locator('.name').allTextContents()).resolves.toEqual([
      'Lucía Pérez',
    ])
    await row(admin, 'Lucía Pérez').click()
    await admin.waitForURL(`**/inbox/${conversationId}?agent=*`)
    await admin.getByText('Show all').click()
    await admin.waitForURL(`**/inbox`)
    await row(admin, 'Lucía Pérez').click()
    await assign.selectOption({ label: 'Assign to: Nobody' })
    await admin.getByTestId('system-event').filter({ hasText: 'Admin Demo removed the assignment' }).waitFor()

    await admin.getByRole('button', { name: 'Close', exact: true }).click()
    await admin
      .getByTestId('system-event')
      .filter({ hasText: 'Admin Demo closed the conversation' })
      .waitFor()
    await admin.locator('[data-filter="all"]').click()
    await row(admin, 'Lucía Pérez').waitFor({ state: 'detached' })
    await admin.locator('[data-filter="closed"]').click()
    await row(admin, 'Lucía Pérez').waitFor()
    await admin.getByRole('button', { name: 'Reopen' }).click()
    await admin
      .getByTestId('system-event')
      .filter({ hasText: 'Admin Demo reopened the conversation' })
      .waitFor()
    await row(admin, 'Lucía Pérez').waitFor({ state: 'detached' })
  })

  it('shows a message the customer edits, then deletes for everyone, live in its place', async () => {
    const written = await rig.customerWrites('5215566666666', 'Sofía Díaz', 'Quiero 2 camisetas')
    await admin.goto(`${rig.site.url}/inbox/${written.conversationId}`)
    const bubble = (text: string) => admin.getByTestId('message').filter({ hasText: text })
    await bubble('Quiero 2 camisetas').waitFor()

    // What the connector does when WhatsApp reports the edit, then the revoke.
    const edit = await rig.service.rpc('record_edit', {
      p_channel_id: CHANNEL,
      p_wa_message_id: written.waMessageId,
      p_body: 'Quiero 3 camisetas',
    })
    expect(edit).toMatchObject({ error: null, data: { found: true } })
    await bubble('Quiero 3 camisetas').getByText('Edited', { exact: true }).waitFor()
    await bubble('Quiero 2 camisetas').waitFor({ state: 'detached' })

    const revoke = await rig.service.rpc('record_revoke', {
      p_channel_id: CHANNEL,
      p_wa_message_id: written.waMessageId,
    })
    expect(revoke).toMatchObject({ error: null, data: { found: true } })
    await bubble('This message was deleted').waitFor()
    await bubble('Quiero 3 camisetas').waitFor({ state: 'detached' })
    await expect(bubble('This message was deleted').getByText('Edited').count()).resolves.toBe(0)
    await row(admin, 'Sofía Díaz').getByText('Message deleted').waitFor()
  })
})
