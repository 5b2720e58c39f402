import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ADMIN, useRig } from './harness.ts'

// Invitations end to end: the admin invites, the person registers with the link and works as an
// agent; the admin deactivates them and they lose the desk at once.
const rig = useRig()
const BETO = { email: 'beto@demo.relevo.test', password: 'beto-password-1', name: 'Beto Ríos' }

/** Waits until the admin's list shows the invitation of `email` as `state`. */
const invitationShows = (page: Page, email: string, state: 'pending' | 'accepted') =>
  page.getByTestId('invitation-row').filter({ hasText: email }).filter({ hasText: state }).waitFor()

describe('agents and invitations', () => {
  it('an invited person registers with the link, becomes an agent and signs in again', async () => {
    const admin = await rig.pageAs(ADMIN, { path: '/team' })
    await admin.getByLabel('Email').fill(BETO.email)
    await admin.getByRole('button', { name: 'Create invitation' }).click()
    const link = await admin.getByTestId('invitation-link').inputValue()
    expect(link).toMatch(new RegExp(`^${rig.site.url}/register\\?code=[0-9a-f]{36}$`))
    await invitationShows(admin, BETO.email, 'pending')

    const beto = await rig.newPage('es')
    await beto.goto(link)
    await beto.getByRole('heading', { name: 'Crear tu cuenta de agente' }).waitFor()
    await expect(beto.getByLabel('Código de invitación').inputValue()).resolves.toBe(link.split('code=')[1])
    await beto.getByLabel('Correo').fill(BETO.email)
    await beto.getByLabel('Tu nombre').fill(BETO.name)
    await beto.getByLabel('Contraseña').fill(BETO.password)
    await beto.getByRole('button', { name: 'Crear cuenta' }).click()
    await beto.getByRole('heading', { name: 'Conversaciones' }).waitFor()

    const { rows } = await rig.db.query<{ role: string; active: boolean; tenant_id: string }>(
      `select role, active, tenant_id from public.agents where email = $1`,
      [BETO.email],
    )
    expect(rows).toEqual([{ role: 'agent', active: true, tenant_id: '00000000-0000-4000-8000-000000000001' }])
    // The admin's team list and invitations follow, without a reload: the new agent arrives on the feed.
    await admin.getByTestId('team-row').filter({ hasText: BETO.name }).waitFor()
    await invitationShows(admin, BETO.email, 'accepted')

    // A used code cannot make a second agent.
    const again = await rig.newPage('en')
    await again.goto(link)
    await again.getByLabel('Email').fill('someone.else@demo.relevo.test')
    await again.getByLabel('Your name').fill('Someone')
    await again.getByLabel('Password').fill('another-password')
    await again.getByRole('button', { name: 'Create account' }).click()
    await again
      .getByRole('alert')
      .filter({ hasText: 'The invitation is unknown, used, revoked or expired' })
      .waitFor()
    expect(new URL(again.url()).pathname).toBe('/register')

    const fresh = await rig.pageAs(BETO)
    await expect(fresh.locator('header .me').textContent()).resolves.toContain(BETO.name)
  })

  it('a deactivated agent is signed out at once and reads nothing', async () => {
    const beto = await rig.pageAs(BETO)
    const admin = await rig.pageAs(ADMIN, { path: '/team' })
    await admin.getByLabel(`Role: ${BETO.name}`).selectOption('admin')
    // The switch saves at once: wait for the row, as the feed would deliver it.
    const roleOf = async () =>
      (await rig.db.query<{ role: string }>('select role from public.agents where email = $1', [BETO.email]))
        .rows[0]?.role
    await expect.poll(roleOf, { timeout: 20_000, interval: 100 }).toBe('admin')
    await admin.getByLabel(`Active: ${BETO.name}`).uncheck()
    await admin
      .getByTestId('team-row')
      .filter({ hasText: BETO.name })
      .and(admin.locator('[data-active="false"]'))
      .waitFor()

    await beto.getByRole('alert').filter({ hasText: 'An admin deactivated your agent account.' }).waitFor()
    expect(new URL(beto.url()).pathname).toBe('/sign-in')
    // Even with a valid session, RLS gives a deactivated agent nothing.
    await rig.customerWrites('5215544445555', 'After Deactivation', 'hola')
    const client = await rig.supabaseAs(BETO)
    const { data } = await client.from('conversations').select('id')
    expect(data).toEqual([])
    const { rows } = await rig.db.query<{ details: { role: string; active: boolean } }>(
      `select details from public.audit_log where action = 'agent_updated' order by id`,
    )
    expect(rows.map((r) => [r.details.role, r.details.active])).toEqual([
      ['admin', true],
      ['admin', false],
    ])

    // The admin cannot lock themselves out: their own row is read-only.
    const self = admin.getByTestId('team-row').filter({ hasText: '(you)' })
    await expect(self.getByRole('checkbox').isDisabled()).resolves.toBe(true)
  })
})
