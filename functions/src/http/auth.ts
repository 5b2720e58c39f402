/**
 * @module
 * Who is calling the monitoring and Shopify APIs: an agent with a Supabase user JWT (answered
 * under RLS by a client carrying that token), or ops with OPS_TOKEN (service role). PostgREST
 * verifies the JWT on every query, so a forged token fails there; here we only read its `sub`.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { type Db, serviceClient, userClient } from '../adapters/supabase.ts'
import { type Bindings, readConfig } from '../config/config.ts'
import { AuthError } from '../shared/errors.ts'
import { secretEquals } from '../shared/secret-equal.ts'

export type Caller =
  | { kind: 'ops'; db: Db }
  | { kind: 'agent'; db: Db; userId: string; tenantId: string; role: 'admin' | 'agent' }

export type AuthEnv = { Bindings: Bindings; Variables: { caller: Caller } }

const claims = z.object({ sub: z.uuid() })

function jwtSubject(token: string): string | null {
  const payload = token.split('.')[1]
  if (!payload) return null
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
    const parsed = claims.safeParse(JSON.parse(json))
    return parsed.success ? parsed.data.sub : null
  } catch {
    return null
  }
}

const unauthorized = (message: string) =>
  new AuthError('unauthorized', message, {
    status: 401,
    hint: 'Send Authorization: Bearer <Supabase access token> or the ops token',
  })

async function resolveCaller(c: Context<AuthEnv>, supabaseFetch?: typeof fetch): Promise<Caller> {
  const config = readConfig(c.env)
  const token = c.req
    .header('authorization')
    ?.match(/^Bearer\s+(.+)$/i)?.[1]
    ?.trim()
  if (!token) throw unauthorized('Missing bearer token')
  if (await secretEquals(token, config.OPS_TOKEN))
    return { kind: 'ops', db: serviceClient(config, supabaseFetch) }
  const userId = jwtSubject(token)
  if (!userId) throw unauthorized('The bearer token is neither a Supabase JWT nor the ops token')
  const db = userClient(config, token, supabaseFetch)
  const { data, error } = await db
    .from('agents')
    .select('tenant_id,role,active')
    .eq('user_id', userId)
    .maybeSingle()
  if (error) throw unauthorized('The token was rejected')
  if (!data?.active) {
    throw new AuthError('not_an_agent', 'You are not an active agent', {
      status: 403,
      hint: 'Ask your admin',
    })
  }
  return { kind: 'agent', db, userId, tenantId: data.tenant_id, role: data.role }
}

/** Requires an agent JWT (admins only with `admin: true`) or the ops token; sets `c.var.caller`. */
export function requireCaller(options: {
  admin: boolean
  ops: boolean
  supabaseFetch?: typeof fetch
}): MiddlewareHandler<AuthEnv> {
  return async function authenticate(c, next) {
    const caller = await resolveCaller(c, options.supabaseFetch)
    if (caller.kind === 'ops' && !options.ops) {
      throw new AuthError('agent_required', 'This route needs an agent token', { status: 403 })
    }
    if (caller.kind === 'agent' && options.admin && caller.role !== 'admin') {
      throw new AuthError('admin_only', 'Only admins can read monitoring data', { status: 403 })
    }
    c.set('caller', caller)
    await next()
  }
}
