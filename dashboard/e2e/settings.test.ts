import { describe, expect, it } from 'vitest'
import { ADMIN, TENANT, useRig } from './harness.ts'
import { saveSettings } from './settings-page.ts'

// Settings are audited and take effect on the AI's next move. The AI pipeline (functions/) does
// not run in this rig, so the effect is shown on the SQL rule it calls: ai_handoff queues the
// tenant's fallback text read at that moment.
const rig = useRig()

describe('settings', () => {
  it('saves only what changed, audits it, and the next AI handoff uses the new fallback text', async () => {
    const page = await rig.pageAs(ADMIN, { path: '/settings' })
    await page.getByTestId('settings-form').waitFor()
    await page.getByLabel('Text when handing to a person').fill('Rosa will write to you in a minute.')
    await page.getByLabel('Wait before answering (seconds)').fill('7')
    await saveSettings(page)

    const { rows } = await rig.db.query<{ fallback_text: string; debounce_seconds: number }>(
      'select fallback_text, debounce_seconds from public.tenants where id = $1',
      [TENANT],
    )
    expect(rows[0]).toEqual({ fallback_text: 'Rosa will write to you in a minute.', debounce_seconds: 7 })
    const audit = await rig.db.query<{ actor_id: string; details: { fields: string[] } }>(
      `select actor_id, details from public.audit_log where action = 'settings_changed'`,
    )
    expect(audit.rows).toEqual([
      {
        actor_id: '00000000-0000-4000-8000-000000001001',
        details: { fields: ['debounce_seconds', 'fallback_text'] },
      },
    ])

    const ask = await rig.customerWrites('5215512340000', 'Pedro Sol', 'I want to talk to a person')
    await rig.aiHandsOff(ask.conversationId, 'the customer asked for a person')
    await page.goto(`${rig.site.url}/inbox/${ask.conversationId}`)
    await page.getByTestId('thread').getByText('Rosa will write to you in a minute.').waitFor()

    await page.goto(`${rig.site.url}/audit`)
    await page
      .getByTestId('audit-row')
      .filter({ hasText: 'Admin Demo' })
      .filter({ hasText: 'changed settings: debounce_seconds, fallback_text' })
      .waitFor()
    await page.getByTestId('audit-row').filter({ hasText: 'handed a conversation to a person' }).waitFor()
  })

  it('shows field errors before saving and sends nothing invalid', async () => {
    const page = await rig.pageAs(ADMIN, { locale: 'es', path: '/settings' })
    await page.getByLabel('Mensajes de contexto').fill('500')
    await page.getByLabel('Tienda (xxx.myshopify.com)').fill('tienda.example.com')
    await page.getByTestId('settings-form').getByRole('button', { name: 'Guardar', exact: true }).click()
    await page.getByRole('alert').filter({ hasText: 'Debe estar entre 1 y 100.' }).waitFor()
    await page.getByRole('alert').filter({ hasText: 'Debe ser como mitienda.myshopify.com.' }).waitFor()
    const { rows } = await rig.db.query<{ context_messages: number }>(
      'select context_messages from public.tenants where id = $1',
      [TENANT],
    )
    expect(rows[0]?.context_messages).toBe(20)
  })

  it('secrets are write-only: stored, shown as set, never sent back to the browser', async () => {
    const page = await rig.newPage('en')
    const responses: string[] = []
    page.on('response', (res) => {
      if (res.url().includes('/rest/v1/'))
        void res.text().then(
          (body) => responses.push(body),
          () => {},
        )
    })
    await rig.signIn(page, ADMIN)
    await page.goto(`${rig.site.url}/settings`)
    const form = page.getByTestId('secrets-form')
    await expect(form.getByTestId('secret-openai_api_key').textContent()).resolves.toContain('not set')
    await page.getByLabel('OpenAI API key').fill('sk-test-secret-4242')
    await page.getByRole('button', { name: 'Save credentials' }).click()
    await form
      .getByTestId('secret-openai_api_key')
      .filter({ hasText: /^\s*set\s*$/ })
      .waitFor()
    await expect(page.getByLabel('OpenAI API key').inputValue()).resolves.toBe('')

    const { rows } = await rig.db.query<{ openai_api_key: string }>(
      // Kept in Vault (ADR 075): the service role's one way to read it back decrypted.
      `select public.get_tenant_secrets($1) ->> 'openai_api_key' as openai_api_key`,
      [TENANT],
    )
    expect(rows[0]?.openai_api_key).toBe('sk-test-secret-4242')
    await page.reload()
    await form
      .getByTestId('secret-openai_api_key')
      .filter({ hasText: /^\s*set\s*$/ })
      .waitFor()
    expect(responses.length).toBeGreaterThan(0)
    expect(responses.some((body) => body.includes('sk-test-secret-4242'))).toBe(false)
    expect(await page.content()).not.toContain('sk-test-secret-4242')
  })
})
