import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import type { Database } from '../../src/db/index.ts'
import type { StandInEnv } from '../context.ts'
import type { ApiKeys } from '../keys.ts'
import { adminRoutes } from './admin.ts'
import { confirmWithToken, issueConfirmation } from './confirm.ts'
import { API_VERSION, AuthApiError, invalidCredentials, weakPassword } from './errors.ts'
import { clientAddress, type TokenRateLimit, tokenRateLimiter } from './rate-limit.ts'
import { parseBody, readAuthBody, requireUser } from './request.ts'
import { endSessions, refreshSession, startSession, type TokenSettings } from './sessions.ts'
import { checkPassword, createUser, updateUser, userById } from './users.ts'

export interface AuthOptions {
  db: Database
  keys: ApiKeys
  issuer: () => string
  accessTokenTtlSeconds: number
  tokenRateLimit: TokenRateLimit
  /** Sign-up leaves the address unconfirmed and logs a confirmation link (GoTrue's MAILER_AUTOCONFIRM=false). */
  confirmEmail: boolean
}

const email = z.string().trim().pipe(z.email())
const metadata = z.record(z.string(), z.unknown())
const signUpBody = z.object({ email, password: z.string(), data: metadata.optional() })
const passwordBody = z.object({ email: z.string(), password: z.string() })
const refreshBody = z.object({ refresh_token: z.string().min(1) })
const updateBody = z.object({
  email: email.optional(),
  password: z.string().optional(),
  data: metadata.optional(),
})

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** `/auth/v1`: the GoTrue subset auth-js 2.119 uses for email + password. */
export function authRoutes(options: AuthOptions): Hono<StandInEnv> {
  const app = new Hono<StandInEnv>()
  const { db } = options
  const tokens = (): TokenSettings => ({
    keys: options.keys,
    issuer: options.issuer(),
    ttlSeconds: options.accessTokenTtlSeconds,
  })

  // GoTrue echoes the API version; auth-js reads error codes from `code` only when it sees it.
  app.use('*', async (c, next) => {
    await next()
    c.res.headers.set('X-Supabase-Api-Version', API_VERSION)
  })

  app.get('/health', (c) =>
    c.json({ version: 'relevo-stand-in', name: 'GoTrue', description: 'Relevo local stand-in' }),
  )
  app.get('/settings', (c) =>
    c.json({
      external: { email: true, phone: false, anonymous_users: false },
      disable_signup: false,
      mailer_autoconfirm: !options.confirmEmail,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    }),
  )

  app.post('/signup', async (c) => {
    const body = parseBody(signUpBody, await readAuthBody(c))
    if (body.password.length < 6) throw weakPassword()
    // Off by default, as in the Supabase CLI's config: sign-up signs in. When on, GoTrue answers
    // the user without a session and mails a link; the stand-in logs the link instead.
    const id = await createUser(db, {
      email: body.email,
      password: body.password,
      confirmed: !options.confirmEmail,
      userMetadata: body.data ?? {},
      appMetadata: {},
    }).catch((error: unknown) => {
      if (error instanceof AuthApiError && error.code === 'email_exists') {
        throw new AuthApiError(422, 'user_already_exists', 'User already registered')
      }
      throw error
    })
    if (!options.confirmEmail) return c.json(await startSession(db, id, tokens()))
    const link = new URL(`${options.issuer()}/verify`)
    link.search = new URLSearchParams({
      token: await issueConfirmation(db, id),
      type: 'signup',
      ...(c.req.query('redirect_to') ? { redirect_to: c.req.query('redirect_to') as string } : {}),
    }).toString()
    c.get('logger').info(
      { email: body.email, link: link.href },
      'confirmation link (the stand-in mails nothing)',
    )
    return c.json(await userById(db, id))
  })

  app.get('/verify', async (c) => {
    if (c.req.query('type') !== 'signup') {
      throw new AuthApiError(400, 'validation_failed', 'Only type=signup links are supported')
    }
    await confirmWithToken(db, c.req.query('token') ?? '')
    const target = c.req.query('redirect_to')
    // GoTrue redirects only to allowed URLs; the stand-in's allow list is this machine.
    const local = target && URL.canParse(target) && LOOPBACK.has(new URL(target).hostname)
    return local ? c.redirect(target, 303) : c.json({ confirmed: true })
  })

  const limitTokens = tokenRateLimiter(options.tokenRateLimit)
  app.post('/token', async (c) => {
    const grant = c.req.query('grant_type')
    if (grant === 'password' || grant === 'refresh_token') limitTokens(clientAddress(c))
    const body = await readAuthBody(c)
    if (grant === 'password') {
      const { email: address, password } = parseBody(passwordBody, body)
      const check = await checkPassword(db, address, password)
      if (!check?.valid) throw invalidCredentials()
      if (!check.confirmed) throw new AuthApiError(400, 'email_not_confirmed', 'Email not confirmed')
      if (check.banned) throw new AuthApiError(400, 'user_banned', 'User is banned')
      return c.json(await startSession(db, check.id, tokens()))
    }
    if (grant === 'refresh_token') {
      const { refresh_token } = parseBody(refreshBody, body)
      return c.json(await refreshSession(db, refresh_token, tokens()))
    }
    throw new AuthApiError(400, 'unsupported_grant_type', `Unsupported grant type "${grant ?? ''}"`)
  })

  app.get('/user', async (c) => c.json((await requireUser(c, db, options.keys)).user))

  app.put('/user', async (c) => {
    const { user } = await requireUser(c, db, options.keys)
    const body = parseBody(updateBody, await readAuthBody(c))
    if (body.password !== undefined && body.password.length < 6) throw weakPassword()
    await updateUser(db, user.id, {
      ...(body.email ? { email: body.email } : {}),
      ...(body.password ? { password: body.password } : {}),
      ...(body.data ? { userMetadata: body.data } : {}),
    })
    return c.json(await userById(db, user.id))
  })

  app.post('/logout', async (c: Context<StandInEnv>) => {
    const { user, sessionId } = await requireUser(c, db, options.keys)
    await endSessions(db, user.id, sessionId, c.req.query('scope') ?? 'global')
    return c.body(null, 204)
  })

  app.route('/', adminRoutes(db, options.keys))
  return app
}
