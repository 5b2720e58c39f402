import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, type Rig, startRig } from './harness.ts'
import { shoot } from './shoot.ts'

// Screenshots of the main screens in both languages, desktop and phone; with UPDATE_SCREENSHOTS=1
// they are saved in dashboard/screenshots/ (committed, so the README shows the real app).
let rig: Rig
let chatId: string

beforeAll(async () => {
  rig = await startRig()
  chatId = await buildScene(rig)
})

afterAll(async () => {
  await rig?.close()
})

/** A believable morning: an AI sale, a handoff taken over by the admin, a chat with Ana, a closed one. */
async function buildScene(r: Rig): Promise<string> {
  await r.customerWrites('5215511112222', 'Carmen Díaz', '¿Hacen factura?')
  await r.db.query(
    `update public.conversations set mode = 'human', assigned_agent_id = '00000000-0000-4000-8000-000000001002'
     where customer_name = 'Carmen Díaz'`,
  )
  await r.customerWrites('5215533334444', 'Jorge Luna', 'Gracias, todo bien')
  await r.db.query(`update public.conversations set status = 'closed' where customer_name = 'Jorge Luna'`)
  const ask = await r.customerWrites(
    '5215512345678',
    'Lucía Pérez',
    'Hola, ¿tienen la camiseta azul en talla M?',
  )
  await r.aiReplies(ask, '¡Hola Lucía! Sí, la camiseta azul está disponible en M por $299. ¿Te la aparto?', [
    { name: 'search_products', ok: true, ms: 180, count: 2 },
    { name: 'check_inventory', ok: true, ms: 95 },
  ])
  await r.db.query(`update public.messages set status = 'read' where author = 'ai'`)
  await r.customerWrites('5215512345678', 'Lucía Pérez', 'Quiero hablar con una persona para pagar en tienda')
  await r.aiHandsOff(ask.conversationId, 'the customer asked for a person')
  const mario = await r.customerWrites('5215577778888', 'Mario Ruiz', 'Busco tenis para correr')
  await r.customerWrites('5215577778888', 'Mario Ruiz', '¿Tienen en 27?')
  void mario
  return ask.conversationId
}

describe.each([
  ['en', 'Take over', 'Hand back to AI', 'Admin Demo took over'],
  ['es', 'Tomar control', 'Devolver a la IA', 'Admin Demo tomó el control'],
] as const)('screens in %s', (locale, takeOver, handBack, tookOver) => {
  it('desk: inbox and a chat taken over from the AI', async () => {
    const page = await rig.newPage(locale, { width: 1200, height: 760 })
    await rig.signIn(page, ADMIN)
    await page.getByTestId('conversation-row').nth(2).waitFor()
    await shoot(page, `inbox-${locale}`)
    // Each language starts from the handed-off state, waiting for a person.
    await rig.db.query(
      `update public.conversations set mode = 'human', assigned_agent_id = null, needs_attention = true,
         attention_reason = 'the customer asked for a person' where id = $1`,
      [chatId],
    )
    await page.goto(`${rig.site.url}/inbox/${chatId}`)
    await page.getByRole('button', { name: takeOver }).click()
    await page.getByTestId('system-event').filter({ hasText: tookOver }).first().waitFor()
    await page.getByRole('button', { name: handBack }).waitFor()
    await page.getByTestId('ai-run').first().locator('summary').click()
    await page
      .getByTestId('composer')
      .fill(locale === 'es' ? 'Claro, te atiendo yo.' : 'Sure, I will help you.')
    await shoot(page, `chat-${locale}`)
    await page.context().close()
  })

  it('phone width: list, then the chat alone', async () => {
    const page = await rig.newPage(locale, { width: 390, height: 780 })
    await rig.signIn(page, ADMIN)
    await page.getByTestId('conversation-row').nth(2).waitFor()
    await shoot(page, `inbox-phone-${locale}`)
    await page.getByTestId('conversation-row').filter({ hasText: 'Lucía' }).click()
    await page.getByTestId('composer').waitFor()
    await expect(
      page.getByRole('heading', { name: /Conversations|Conversaciones/ }).isVisible(),
    ).resolves.toBe(false)
    await shoot(page, `chat-phone-${locale}`)
    await page.context().close()
  })
})
