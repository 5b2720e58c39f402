import { jwtVerify, SignJWT } from 'jose'

/**
 * Keys and JWTs in Supabase's formats, so the same `.env` shape works against the
 * stand-in, `supabase start` and a cloud project. The defaults are the Supabase CLI's
 * public demo values (never secrets): the same secret signs the same anon and
 * service_role tokens the CLI prints.
 */
export const DEMO_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long'
const DEMO_TOKEN_EXPIRY = 1983812996 // what the Supabase CLI uses for its demo keys
export const DEMO_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH'
export const DEMO_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz'

export type ApiRole = 'anon' | 'authenticated' | 'service_role'

/** The claims PostgREST puts in `request.jwt.claims`; `role` decides the database role. */
export interface Claims {
  role: ApiRole
  sub?: string
  email?: string
  exp?: number
  [claim: string]: unknown
}

export interface ApiKeys {
  jwtSecret: string
  anonKey: string
  serviceRoleKey: string
  publishableKey: string
  secretKey: string
}

export async function createApiKeys(jwtSecret = DEMO_JWT_SECRET): Promise<ApiKeys> {
  const sign = (role: ApiRole) =>
    new SignJWT({ iss: 'supabase-demo', role, exp: DEMO_TOKEN_EXPIRY })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(secretBytes(jwtSecret))
  return {
    jwtSecret,
    anonKey: await sign('anon'),
    serviceRoleKey: await sign('service_role'),
    publishableKey: DEMO_PUBLISHABLE_KEY,
    secretKey: DEMO_SECRET_KEY,
  }
}

export class InvalidTokenError extends Error {
  constructor(
    readonly code: 'PGRST301' | 'PGRST303',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/**
 * Turns an API key or a bearer token into claims, as Supabase's gateway and PostgREST do:
 * `sb_publishable_`/`sb_secret_` keys map to anon/service_role, JWTs are verified (HS256,
 * 30 s clock skew). Throws InvalidTokenError with PostgREST's code when a JWT is bad.
 */
export async function claimsFor(token: string, keys: ApiKeys): Promise<Claims> {
  if (token === keys.publishableKey) return { role: 'anon' }
  if (token === keys.secretKey) return { role: 'service_role' }
  try {
    const { payload } = await jwtVerify(token, secretBytes(keys.jwtSecret), {
      algorithms: ['HS256'],
      clockTolerance: 30,
    })
    const role = payload.role
    if (role !== 'anon' && role !== 'authenticated' && role !== 'service_role') {
      throw new InvalidTokenError(
        'PGRST301',
        `JWT role "${String(role)}" is not one of anon, authenticated, service_role`,
      )
    }
    return { ...payload, role } as Claims
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error
    if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') {
      throw new InvalidTokenError('PGRST303', 'JWT expired', { cause: error })
    }
    throw new InvalidTokenError('PGRST301', 'JWT could not be decoded or its signature is invalid', {
      cause: error,
    })
  }
}

export function signAccessToken(claims: Claims & { exp: number }, keys: ApiKeys): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(secretBytes(keys.jwtSecret))
}

function secretBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret)
}
