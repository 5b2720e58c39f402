import { type ConnectorProcess, spawnConnector } from '@relevo/testing/connector-process'
import { DEMO_CONNECTOR_KEY } from '@relevo/testing/demo-seed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, CHANNEL, useRig } from './harness.ts'

// The WhatsApp link cycle with the real connector on its simulator: the phone logs out, the
// connector asks for a QR, the admin sees it, asks for a fresh one (re-link), scans, and is ready.
const rig = useRig()
let connector: ConnectorProcess

beforeAll(async () => {
  connector = await spawnConnector({
    supabaseUrl: rig.standIn.url,
    // The demo channel's own credential, as ./relevo dev runs it (ADR 074).
    auth: { connectorKey: DEMO_CONNECTOR_KEY, anonKey: rig.standIn.keys.anonKey },
    env: { OUTBOX_POLL_MS: '500', HEARTBEAT_MS: '2000' },
  })
})

afterAll(async () => {
  await connector?.stop()
})

async function simulator(path: 'logout' | 'scan'): Promise<void> {
  const res = await fetch(`${connector.url}/simulator/session/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  if (!res.ok) throw new Error(`simulator ${path} failed: ${res.status} ${await res.text()}`)
}

async function storedQr(): Promise<string | null> {
  const { rows } = await rig.db.query<{ qr: string | null }>(
    'select qr from public.channel_links where channel_id = $1',
    [CHANNEL],
  )
  return rows[0]?.qr ?? null
}

describe('connection screen', () => {
  it('shows the QR the connector asks for, a new one after re-link, then ready once scanned', async () => {
    const page = await rig.pageAs(ADMIN)
    await page.getByRole('link', { name: 'Admin' }).click()
    await page.getByRole('heading', { name: 'WhatsApp numbers' }).waitFor()
    // The WhatsApp Web number (the seed also has a Cloud API number, which has no QR).
    const card = page.locator('[data-testid="channel"][data-kind="whatsapp_web"]')
    await card.and(page.locator('[data-status="ready"]')).waitFor()
    await expect(card.getByTestId('channel-status').textContent()).resolves.toBe('Connected')
    await expect(page.getByTestId('qr').count()).resolves.toBe(0)

    // The phone unlinks the device: the connector logs out and shows a QR.
    await simulator('logout')
    const qr = page.getByTestId('qr').and(page.locator('[data-qr^="2@"]'))
    await qr.waitFor()
    const first = await qr.getAttribute('data-qr')
    expect(first).toBe(await storedQr())
    expect(await qr.locator('svg path').count()).toBeGreaterThan(0)
    await expect(card.getByTestId('channel-status').textContent()).resolves.toBe('Waiting for the QR scan')

    // Re-link: the connector sees the request on its next heartbeat and shows a different QR.
    page.once('dialog', (dialog) => void dialog.accept())
    await page.getByRole('button', { name: 'Re-link' }).click()
    await page.locator(`[data-testid="qr"][data-qr^="2@"]:not([data-qr="${first}"])`).waitFor()
    const second = await page.getByTestId('qr').getAttribute('data-qr')
    expect(second).not.toBe(first)
    expect(second).toBe(await storedQr())
    const { rows } = await rig.db.query<{ action: string }>(
      `select action from public.audit_log where action = 'relink_requested'`,
    )
    expect(rows).toHaveLength(1)

    // The admin scans it with the phone: linked, no QR left on screen.
    await simulator('scan')
    await card.and(page.locator('[data-status="ready"]')).waitFor()
    await expect(page.getByTestId('qr').count()).resolves.toBe(0)
    await expect(card.getByTestId('heartbeat').textContent()).resolves.not.toContain('never')
  })

  it('tells the admin when the connector has gone silent', async () => {
    await connector.stop()
    await rig.db.query(
      `update public.channels set last_heartbeat_at = now() - interval '7 minutes' where id = $1`,
      [CHANNEL],
    )
    const page = await rig.pageAs(ADMIN, { locale: 'es', path: '/connection' })
    await page.getByRole('alert').filter({ hasText: 'El conector no da señales desde hace 7 min' }).waitFor()
  })
})
