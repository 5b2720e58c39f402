import { describe, expect, it } from 'vitest'
import { ADMIN, CHANNEL, useRig } from './harness.ts'

// A real outage: the stand-in (REST, auth, realtime) goes away and comes back on the same port while
// the page stays open. Replies queue, the banner says so, and on return the channel rejoins, the
// queue is sent once and what happened meanwhile shows up without a reload.
const rig = useRig()

describe('losing Supabase and getting it back', () => {
  it('queues the reply, then rejoins, sends it once and shows the messages missed while away', async () => {
    const page = await rig.pageAs(ADMIN)
    const { conversationId } = await rig.customerWrites('5215566667777', 'Irene Mora', 'Hola, ¿siguen ahí?')
    await page.getByTestId('conversation-row').filter({ hasText: 'Irene Mora' }).waitFor()
    // Open the chat by its address: a click can race the inbox's reload after the live feed joins.
    await page.goto(`${rig.site.url}/inbox/${conversationId}`)
    await page.getByTestId('message').filter({ hasText: 'Hola, ¿siguen ahí?' }).waitFor()

    await rig.stopStandIn()
    await page.getByTestId('connection-banner').waitFor()
    await page.getByTestId('composer').fill('Sí, aquí estamos')
    await page.getByTestId('composer').press('Enter')
    await page.getByTestId('pending-message').filter({ hasText: 'Sí, aquí estamos' }).waitFor()
    await page.getByTestId('connection-banner').filter({ hasText: '1 queued' }).waitFor()

    // While the dashboard is cut off, the customer writes again (straight into the database).
    await rig.db.query(
      `select public.ingest_message($1, 'wamid.offline.1', '5215566667777@c.us', false, 'Se me cortó, ¿me leen?')`,
      [CHANNEL],
    )

    await rig.restartStandIn()
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 45_000 })
    await page.getByTestId('message').filter({ hasText: 'Sí, aquí estamos' }).waitFor()
    await page.getByTestId('message').filter({ hasText: 'Se me cortó, ¿me leen?' }).waitFor()
    const sent = await rig.db.query(
      'select 1 from public.messages where conversation_id = $1 and body = $2',
      [conversationId, 'Sí, aquí estamos'],
    )
    expect(sent.rows).toHaveLength(1)
  })
})
