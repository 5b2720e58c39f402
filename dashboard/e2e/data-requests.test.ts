import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, ANA, useRig } from './harness.ts'

// Admin → Data (ADR 112) in real Chromium: the admin exports today's messages as CSV and JSONL
// files, then erases one customer; the chat leaves the inbox of an agent's open desk at once.
const rig = useRig()
let admin: Page
let ana: Page
const ERASED = '5215577700001'

beforeAll(async () => {
  await rig.customerWrites(ERASED, 'Cliente Borrar', 'Mi dirección es Calle Falsa 123')
  await rig.customerWrites('5215577700002', 'Cliente Queda', 'Hola, "buen día", ¿tienen envíos?')
  admin = await rig.pageAs(ADMIN)
  ana = await rig.pageAs(ANA)
})

async function exportAs(format: 'CSV' | 'JSONL'): Promise<string> {
  await admin.getByLabel('Format').selectOption({ label: format })
  const download = admin.waitForEvent('download')
  await admin.getByRole('button', { name: 'Export' }).click()
  const file = await download
  return readFile((await file.path()) ?? '', 'utf8')
}

describe('data requests', () => {
  it("exports today's messages as CSV and JSONL", async () => {
    await admin.goto(admin.url().replace(/\/inbox.*$/, '/data'))
    await admin.getByRole('heading', { name: 'Data requests' }).waitFor()
    const csv = await exportAs('CSV')
    const [header, ...lines] = csv.trimEnd().split('\r\n')
    expect(header).toMatch(
      /^created_at,conversation_id,channel,customer_name,customer_phone,direction,author/,
    )
    expect(lines.some((l) => l.includes('Mi dirección es Calle Falsa 123') && l.includes(ERASED))).toBe(true)
    expect(lines.some((l) => l.includes('"Hola, ""buen día"", ¿tienen envíos?"'))).toBe(true)
    await admin.getByTestId('exported').filter({ hasText: 'messages exported' }).waitFor()
    const jsonl = (await exportAs('JSONL'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(jsonl.map((r) => r.body)).toContain('Hola, "buen día", ¿tienen envíos?')
    expect(jsonl).toHaveLength(lines.length)
  })

  it('erases a customer after typing the phone; the open desk of an agent drops the chat', async () => {
    const row = ana.getByTestId('conversation-row').filter({ hasText: 'Cliente Borrar' })
    await row.waitFor()
    await admin.getByLabel("Customer's phone or name").fill(ERASED)
    await admin.getByRole('button', { name: 'Find' }).click()
    await admin
      .getByTestId('customer-row')
      .filter({ hasText: ERASED })
      .getByRole('button', { name: 'Erase' })
      .click()
    const confirm = admin.getByRole('button', { name: 'Erase for good' })
    expect(await confirm.isDisabled()).toBe(true)
    await admin.getByLabel(`Type the phone ${ERASED} to confirm`).fill(ERASED)
    await confirm.click()
    await admin
      .getByTestId('erased')
      .filter({ hasText: 'Erased: 1 conversations, 1 messages, 0 files.' })
      .waitFor()
    await row.waitFor({ state: 'detached' })
    const left = await rig.db.query(
      `select 1 from public.messages m join public.conversations c on c.id = m.conversation_id
       where c.customer_phone = $1`,
      [ERASED],
    )
    expect(left.rows).toEqual([])
    await ana.getByTestId('conversation-row').filter({ hasText: 'Cliente Queda' }).waitFor()
  })
})
