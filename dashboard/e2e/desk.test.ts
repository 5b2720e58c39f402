import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, type Rig, startRig } from './harness.ts'

// The agents' desk in real Chromium against the local stand-in (PGlite + seed). Each step waits for
// what an agent would see; waits end on the element, never on a fixed delay.
let rig: Rig
let admin: Page
let conversationId: string

beforeAll(async () => {
  rig = await startRig()
  admin = await rig.newPage('en')
  await rig.signIn(admin, ADMIN)
})

afterAll(async () => {
  await rig?.close()
})

const row = (page: Page, name: string) => page.getByTestId('conversation-row').filter({ hasText: name })

describe('the agents desk', () => {
  it('shows a customer message live, without reload, at the top with an unread badge', async () => {
    await rig.customerWrites('5215500000001', 'Old Chat', 'earlier question')
    await row(admin, 'Old Chat').waitFor()
    conversationId = await rig.customerWrites(
      '5215512345678',
      'Lucía Pérez',
      '¿Tienen la camiseta en talla M?',
    )
    const lucia = row(admin, 'Lucía Pérez')
    await lucia.waitFor()
    await expect(lucia.getByTestId('unread-badge').textContent()).resolves.toBe('1')
    await expect(lucia.getByTestId('holder-badge').textContent()).resolves.toBe('AI')
    const names = await admin.getByTestId('conversation-row').locator('.name').allTextContents()
    expect(names.slice(0, 2)).toEqual(['Lucía Pérez', 'Old Chat'])
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

  it('keeps Shift+Enter as a new line and refuses an overlong message', async () => {
    const composer = admin.getByTestId('composer')
    await composer.fill('line one')
    await composer.press('Shift+Enter')
    await composer.pressSequentially('line two')
    await expect(composer.inputValue()).resolves.toBe('line one\nline two')
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
})
