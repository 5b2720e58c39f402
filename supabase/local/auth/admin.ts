import { Hono } from 'hono'
import { z } from 'zod'
import type { Database } from '../../src/db/index.ts'
import type { StandInEnv } from '../context.ts'
import type { ApiKeys } from '../keys.ts'
import { userNotFound, validationFailed, weakPassword } from './errors.ts'
import { parseBody, requireAdmin } from './request.ts'
import { createUser, listUsers, updateUser, userById } from './users.ts'

const metadata = z.record(z.string(), z.unknown())
const email = z.string().trim().pipe(z.email())
const createBody = z.object({
  id: z.uuid().optional(),
  email,
  password: z.string().optional(),
  email_confirm: z.boolean().optional(),
  user_metadata: metadata.optional(),
  app_metadata: metadata.optional(),
  role: z.string().optional(),
})
const inviteBody = z.object({ email, data: metadata.optional() })
const updateBody = z.object({
  email: email.optional(),
  password: z.string().optional(),
  email_confirm: z.boolean().optional(),
  user_metadata: metadata.optional(),
  app_metadata: metadata.optional(),
  ban_duration: z.string().optional(),
})

/**
 * GoTrue's admin API with the service role key (what `supabase.auth.admin.*` and the dashboard
 * use): create, invite (no email is sent locally), list, get, update and delete users.
 */
export function adminRoutes(db: Database, keys: ApiKeys): Hono<StandInEnv> {
  const app = new Hono<StandInEnv>()
  app.use('/admin/*', async (c, next) => {
    await requireAdmin(c, keys)
    await next()
  })
  app.use('/invite', async (c, next) => {
    await requireAdmin(c, keys)
    await next()
  })

  app.post('/admin/users', async (c) => {
    const body = parseBody(createBody, await c.req.json().catch(() => ({})))
    if (body.password !== undefined && body.password.length < 6) throw weakPassword()
    const id = await createUser(db, {
      ...(body.id ? { id: body.id } : {}),
      email: body.email,
      ...(body.password ? { password: body.password } : {}),
      confirmed: body.email_confirm ?? false,
      userMetadata: body.user_metadata ?? {},
      appMetadata: body.app_metadata ?? {},
      ...(body.role ? { role: body.role } : {}),
    })
    return c.json(await userById(db, id))
  })

  app.post('/invite', async (c) => {
    const body = parseBody(inviteBody, await c.req.json().catch(() => ({})))
    const id = await createUser(db, {
      email: body.email,
      confirmed: false,
      invited: true,
      userMetadata: body.data ?? {},
      appMetadata: {},
    })
    return c.json(await userById(db, id))
  })

  app.get('/admin/users', async (c) => {
    const page = Math.max(1, Number(c.req.query('page') ?? 1) || 1)
    const perPage = Math.min(1000, Math.max(1, Number(c.req.query('per_page') ?? 50) || 50))
    const { users, total } = await listUsers(db, page, perPage)
    const last = Math.max(1, Math.ceil(total / perPage))
    const link = `</admin/users?page=${last}&per_page=${perPage}>; rel="last"`
    return c.json({ users, aud: 'authenticated' }, 200, { 'X-Total-Count': String(total), Link: link })
  })

  app.get('/admin/users/:id', async (c) => c.json((await userById(db, c.req.param('id'))) ?? throwNotFound()))

  app.put('/admin/users/:id', async (c) => {
    const id = c.req.param('id')
    if (!(await userById(db, id))) throwNotFound()
    const body = parseBody(updateBody, await c.req.json().catch(() => ({})))
    if (body.password !== undefined && body.password.length < 6) throw weakPassword()
    await updateUser(db, id, {
      ...(body.email ? { email: body.email } : {}),
      ...(body.password ? { password: body.password } : {}),
      ...(body.user_metadata ? { userMetadata: body.user_metadata } : {}),
      ...(body.app_metadata ? { appMetadata: body.app_metadata } : {}),
      ...(body.email_confirm ? { confirm: true } : {}),
      ...(body.ban_duration ? { bannedUntil: banUntil(body.ban_duration) } : {}),
    })
    return c.json(await userById(db, id))
  })

  app.delete('/admin/users/:id', async (c) => {
    const id = c.req.param('id')
    if (!(await userById(db, id))) throwNotFound()
    await db.query('delete from auth.users where id = $1', [id])
    return c.json({})
  })
  return app
}

function throwNotFound(): never {
  throw userNotFound()
}

// GoTrue takes a Go duration ("24h", "30m") or "none" to lift the ban.
function banUntil(duration: string): Date | null {
  if (duration === 'none') return null
  const match = /^(\d+)(h|m|s)$/.exec(duration)
  if (!match) throw validationFailed(`Invalid ban duration "${duration}"; use e.g. 24h or none`)
  const seconds = Number(match[1]) * { h: 3600, m: 60, s: 1 }[match[2] as 'h' | 'm' | 's']
  return new Date(Date.now() + seconds * 1000)
}
