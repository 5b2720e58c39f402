import { afterAll, beforeAll, describe, it } from 'vitest'
import { ADMIN, CHANNEL, type Rig, startRig } from './harness.ts'
import { shoot } from './shoot.ts'

// The admin screens in Spanish and English (and the metrics on a phone). Files are written only
// with UPDATE_SCREENSHOTS=1 (see shoot.ts); a normal run still renders and checks every screen.
let rig: Rig

beforeAll(async () => {
  rig = await startRig()
  await buildScene(rig)
})

afterAll(async () => {
  await rig?.close()
})

/** A morning of activity: AI sales with tokens, a handoff, a takeover, a failed send, an invitation, a QR waiting. */
async function buildScene(r: Rig): Promise<void> {
  for (const [phone, name, ask, answer] of [
    ['5215512345678', 'Lucía Pérez', '¿Tienen la camiseta azul en M?', 'Sí, a $299. ¿Te la aparto?'],
    ['5215577778888', 'Mario Ruiz', '¿Envían a Monterrey?', 'Sí, en 2 días hábiles.'],
    ['5215533334444', 'Jorge Luna', '¿Horario de la tienda?', 'De 10 a 20 h, todos los días.'],
  ] as const) {
    const m = await r.customerWrites(phone, name, ask)
    await r.aiReplies(m, answer, [{ name: 'search_products', ok: true, ms: 120 }])
  }
  await r.db.query(`update public.messages set status = 'read' where author = 'ai'`)
  // Spread over the morning, the AI answering in seconds, so the chart and medians look like a real day.
  await r.db.query(
    `update public.messages set created_at = created_at + interval '7 seconds' where author = 'ai'`,
  )
  for (const [name, hours] of [
    ['Lucía Pérez', 6],
    ['Mario Ruiz', 3],
    ['Jorge Luna', 1],
  ] as const) {
    await r.db.query(
      `update public.messages set created_at = created_at - make_interval(hours => $2)
       where conversation_id in (select id from public.conversations where customer_name = $1)`,
      [name, hours],
    )
  }
  await r.db.query(`update public.ai_runs set prompt_tokens = 1450, completion_tokens = 95`)
  const carmen = await r.customerWrites('5215511112222', 'Carmen Díaz', 'Quiero hablar con una persona')
  await r.aiHandsOff(carmen.conversationId, 'the customer asked for a person')
  await r.db.query(
    `update public.messages set status = 'failed', error = 'not on WhatsApp' where body like 'Te comunico%'`,
  )
  await r.db.query(`select public.set_channel_status($1, 'qr', $2, now() + interval '50 seconds')`, [
    CHANNEL,
    '2@sZmvPfqUWUDkbvTUCfMmuA0kRcl1k9pPB1uBx5gFiV8A,oT1SH9bBqYJbl1Zs6rb8vM0LmP2e3u9Y8pYl1vc0kiE=,SIMULATOR',
  ])
}

describe.each(['en', 'es'] as const)('admin screens in %s', (locale) => {
  it('connection, settings, team, metrics, audit', async () => {
    const page = await rig.newPage(locale, { width: 1200, height: 860 })
    await rig.signIn(page, ADMIN)
    await page.goto(`${rig.site.url}/connection`)
    await page.getByTestId('qr').locator('svg').waitFor()
    await shoot(page, `connection-${locale}`)

    await page.goto(`${rig.site.url}/settings`)
    await page.getByTestId('secrets-form').getByTestId('secret-openai_api_key').waitFor()
    await shoot(page, `settings-${locale}`)

    await page.goto(`${rig.site.url}/team`)
    await page.getByLabel(locale === 'es' ? 'Correo' : 'Email').fill(`nuevo.${locale}@demo.relevo.test`)
    await page
      .getByRole('button', { name: locale === 'es' ? 'Crear invitación' : 'Create invitation' })
      .click()
    await page.getByTestId('invitation-link').waitFor()
    await shoot(page, `team-${locale}`)

    await page.goto(`${rig.site.url}/metrics`)
    await page.getByTestId('chart').locator('rect').nth(3).waitFor()
    await shoot(page, `metrics-${locale}`)

    await page.goto(`${rig.site.url}/audit`)
    await page.getByTestId('audit-row').nth(1).waitFor()
    await shoot(page, `audit-${locale}`)
    await page.context().close()
  })

  it('metrics on a phone, and the register page', async () => {
    const phone = await rig.newPage(locale, { width: 390, height: 844 })
    await rig.signIn(phone, ADMIN)
    await phone.goto(`${rig.site.url}/metrics`)
    await phone.getByTestId('chart').waitFor()
    await shoot(phone, `metrics-phone-${locale}`)
    await phone.context().close()

    const guest = await rig.newPage(locale, { width: 900, height: 700 })
    await guest.goto(`${rig.site.url}/register?code=3f9a0c2e7b1d4e6f8a0b2c4d6e8f0a1b2c3d`)
    await guest.getByRole('button', { name: locale === 'es' ? 'Crear cuenta' : 'Create account' }).waitFor()
    await shoot(guest, `register-${locale}`)
    await guest.context().close()
  })
})
