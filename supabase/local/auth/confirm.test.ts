import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestStandIn, type TestStandIn } from '../testing/stand-in.ts'

// A project that requires email confirmation (GoTrue's MAILER_AUTOCONFIRM=false): sign-up answers
// the user without a session, sign-in is refused until the link in the (logged) mail is opened.
describe.each(backends)('email confirmation through supabase-js (%s)', (backend) => {
  let env: TestStandIn
  const links: string[] = []
  const log = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString()) as { link?: string }
      if (line.link) links.push(line.link)
      done()
    },
  })

  beforeAll(async () => {
    env = await startTestStandIn(backend, '', { confirmEmail: true, logger: pino({ level: 'info' }, log) })
  })
  afterAll(() => env?.close())

  it('signs up without a session, refuses sign-in until the link is opened, then signs in', async () => {
    const signUp = await env.client().auth.signUp({
      email: 'owner@example.test',
      password: 'secret-pw',
      options: { emailRedirectTo: 'http://127.0.0.1:5173/sign-in' },
    })
    expect(signUp.error).toBeNull()
    expect(signUp.data.session).toBeNull()
    expect(signUp.data.user).toMatchObject({ email: 'owner@example.test', email_confirmed_at: null })
    const signIn = () =>
      env.client().auth.signInWithPassword({ email: 'owner@example.test', password: 'secret-pw' })
    expect((await signIn()).error?.code).toBe('email_not_confirmed')

    const link = links.at(-1) ?? ''
    expect(new URL(link).searchParams.get('redirect_to')).toBe('http://127.0.0.1:5173/sign-in')
    const opened = await fetch(link, { redirect: 'manual' })
    expect(opened.status).toBe(303)
    expect(opened.headers.get('location')).toBe('http://127.0.0.1:5173/sign-in')
    expect((await signIn()).error).toBeNull()
    // The link works once.
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(403)
  })

  it('redirects only to this machine, and says confirmation is on in /settings', async () => {
    await env.client().auth.signUp({
      email: 'elsewhere@example.test',
      password: 'secret-pw',
      options: { emailRedirectTo: 'https://evil.example/' },
    })
    const opened = await fetch(links.at(-1) ?? '', { redirect: 'manual' })
    expect(opened.status).toBe(200)
    expect(await opened.json()).toEqual({ confirmed: true })
    const settings = await fetch(`${env.url}/auth/v1/settings`, {
      headers: { apikey: env.standIn.keys.anonKey },
    })
    expect(await settings.json()).toMatchObject({ mailer_autoconfirm: false })
  })
})
