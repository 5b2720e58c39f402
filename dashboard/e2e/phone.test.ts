import { type ConnectorProcess, spawnConnector } from '@relevo/testing/connector-process'
import { type SimulatorPhone, simulatorPhone } from '@relevo/testing/simulator-phone'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, useRig } from './harness.ts'

// The whole path with the real connector on its simulator: a customer's phone writes, the agent
// sees it live, takes over, replies, and the reply arrives on the customer's phone.
const rig = useRig()
let connector: ConnectorProcess
let phone: SimulatorPhone

beforeAll(async () => {
  connector = await spawnConnector({
    supabaseUrl: rig.standIn.url,
    auth: { serviceRoleKey: rig.standIn.keys.serviceRoleKey },
    env: { OUTBOX_POLL_MS: '500', HEARTBEAT_MS: '2000' },
  })
  phone = simulatorPhone(connector.url)
})

afterAll(async () => {
  await connector?.stop()
})

/** Polls until the customer's phone has a message with this body (the outbox is asynchronous). */
async function phoneReceives(body: string): Promise<{ chatId: string; body: string; ack: string }> {
  for (;;) {
    const found = (await phone.outbox()).find((m) => m.body === body)
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('customer phone ↔ agent desk through the connector simulator', () => {
  it('a customer message appears live; the agent takes over and the reply reaches the phone', async () => {
    const page = await rig.pageAs(ADMIN)
    await phone.customerWrites('5215544445555', 'Paula Soto', 'Hola, ¿abren el domingo?')
    const row = page.getByTestId('conversation-row').filter({ hasText: 'Paula Soto' })
    await row.waitFor()
    await row.click()
    await page.getByTestId('message').filter({ hasText: 'Hola, ¿abren el domingo?' }).waitFor()

    await page.getByRole('button', { name: 'Take over' }).click()
    await row.getByTestId('holder-badge').filter({ hasText: 'Admin Demo' }).waitFor()

    await page.getByTestId('composer').fill('Sí, de 10 a 14 h')
    await page.getByTestId('composer').press('Enter')
    const delivered = await phoneReceives('Sí, de 10 a 14 h')
    expect(delivered.chatId).toBe('5215544445555@c.us')
    // The connector recorded the WhatsApp id: the agent sees the message as sent (or further).
    await page
      .getByTestId('message')
      .filter({ hasText: 'Sí, de 10 a 14 h' })
      .locator('[data-status="sent"], [data-status="delivered"], [data-status="read"]')
      .waitFor()

    await page.getByRole('button', { name: 'Hand back to AI' }).click()
    await row.getByTestId('holder-badge').filter({ hasText: /^AI$/ }).waitFor()
    expect((await phone.outbox()).filter((m) => m.body === 'Sí, de 10 a 14 h')).toHaveLength(1)
  })
})
