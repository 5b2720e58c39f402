import type { Queryable } from '../../src/db/index.ts'
import { AuthApiError } from './errors.ts'

/**
 * auth.users as GoTrue reads and writes it. Passwords are bcrypt hashes made by pgcrypto
 * (`extensions.crypt(pw, gen_salt('bf'))`), the same format GoTrue stores, so seed.sql can
 * create users exactly as on a real Supabase project.
 */
export interface UserJson {
  id: string
  email: string
  phone: string
  role: string
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
  is_anonymous: boolean
  [field: string]: unknown
}

// The user object GoTrue returns (models.User), built in SQL so timestamps print as Postgres does.
const USER_JSON = `jsonb_build_object(
  'id', u.id, 'aud', coalesce(u.aud, 'authenticated'), 'role', coalesce(nullif(u.role, ''), 'authenticated'),
  'email', coalesce(u.email, ''), 'phone', coalesce(u.phone, ''),
  'email_confirmed_at', u.email_confirmed_at, 'confirmed_at', u.email_confirmed_at,
  'invited_at', u.invited_at, 'last_sign_in_at', u.last_sign_in_at,
  'app_metadata', coalesce(u.raw_app_meta_data, '{}'), 'user_metadata', coalesce(u.raw_user_meta_data, '{}'),
  'identities', coalesce((select jsonb_agg(jsonb_build_object(
      'identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id, 'identity_data', i.identity_data,
      'provider', i.provider, 'email', i.email, 'last_sign_in_at', i.last_sign_in_at,
      'created_at', i.created_at, 'updated_at', i.updated_at))
    from auth.identities i where i.user_id = u.id), '[]'),
  'banned_until', u.banned_until, 'created_at', u.created_at, 'updated_at', u.updated_at,
  'is_anonymous', u.is_anonymous)::text`

export async function userById(db: Queryable, id: string): Promise<UserJson | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined
  const { rows } = await db.query<{ user: string }>(
    `select ${USER_JSON} as "user" from auth.users u where u.id = $1 and u.deleted_at is null`,
    [id],
  )
  return rows[0] ? (JSON.parse(rows[0].user) as UserJson) : undefined
}

export async function listUsers(db: Queryable, page: number, perPage: number) {
  const { rows } = await db.query<{ user: string; total: number }>(
    `select ${USER_JSON} as "user", count(*) over ()::int as total from auth.users u
     where u.deleted_at is null order by u.created_at, u.id limit $1 offset $2`,
    [perPage, (page - 1) * perPage],
  )
  const total =
    rows[0]?.total ??
    (await db.query<{ n: number }>('select count(*)::int as n from auth.users where deleted_at is null'))
      .rows[0]?.n ??
    0
  return { users: rows.map((row) => JSON.parse(row.user) as UserJson), total }
}

export interface NewUser {
  id?: string
  email: string
  password?: string
  confirmed: boolean
  invited?: boolean
  userMetadata: Record<string, unknown>
  appMetadata: Record<string, unknown>
  role?: string
}

export async function createUser(db: Queryable, user: NewUser): Promise<string> {
  const existing = await db.query('select 1 from auth.users where lower(email) = lower($1)', [user.email])
  if (existing.rows.length > 0) {
    throw new AuthApiError(422, 'email_exists', 'A user with this email address has already been registered')
  }
  const appMetadata = { provider: 'email', providers: ['email'], ...user.appMetadata }
  const { rows } = await db.query<{ id: string }>(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, invited_at,
       raw_app_meta_data, raw_user_meta_data)
     values ('00000000-0000-0000-0000-000000000000', coalesce($1::uuid, gen_random_uuid()), 'authenticated', $2,
       lower($3), case when $4::text is null then '' else extensions.crypt($4, extensions.gen_salt('bf')) end,
       case when $5 then now() end, case when $6 then now() end, $7::jsonb, $8::jsonb)
     returning id`,
    [
      user.id ?? null,
      user.role ?? 'authenticated',
      user.email,
      user.password ?? null,
      user.confirmed,
      user.invited ?? false,
      JSON.stringify(appMetadata),
      JSON.stringify(user.userMetadata),
    ],
  )
  const id = rows[0]?.id as string
  await db.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider)
     values ($1::text, $1::uuid, jsonb_build_object('sub', $1::text, 'email', lower($2), 'email_verified', $3::boolean,
       'phone_verified', false), 'email')`,
    [id, user.email, user.confirmed],
  )
  return id
}

export interface UserChanges {
  email?: string
  password?: string
  userMetadata?: Record<string, unknown>
  appMetadata?: Record<string, unknown>
  confirm?: boolean
  bannedUntil?: Date | null
}

/** Applies changes; metadata is merged key by key as GoTrue does. */
export async function updateUser(db: Queryable, id: string, changes: UserChanges): Promise<void> {
  await db.query(
    `update auth.users set
       email = coalesce(lower($2), email),
       encrypted_password = case when $3::text is null then encrypted_password
         else extensions.crypt($3, extensions.gen_salt('bf')) end,
       raw_user_meta_data = coalesce(raw_user_meta_data, '{}') || coalesce($4::jsonb, '{}'),
       raw_app_meta_data = coalesce(raw_app_meta_data, '{}') || coalesce($5::jsonb, '{}'),
       email_confirmed_at = case when $6 then coalesce(email_confirmed_at, now()) else email_confirmed_at end,
       banned_until = case when $7 then $8::timestamptz else banned_until end,
       updated_at = now()
     where id = $1`,
    [
      id,
      changes.email ?? null,
      changes.password ?? null,
      changes.userMetadata ? JSON.stringify(changes.userMetadata) : null,
      changes.appMetadata ? JSON.stringify(changes.appMetadata) : null,
      changes.confirm ?? false,
      changes.bannedUntil !== undefined,
      changes.bannedUntil?.toISOString() ?? null,
    ],
  )
}

export interface PasswordCheck {
  id: string
  valid: boolean
  confirmed: boolean
  banned: boolean
}

/** Compares in SQL with pgcrypto; a user without a bcrypt hash (e.g. invited) never matches. */
export async function checkPassword(
  db: Queryable,
  email: string,
  password: string,
): Promise<PasswordCheck | undefined> {
  const { rows } = await db.query<PasswordCheck>(
    `select u.id,
       case when coalesce(u.encrypted_password, '') like '$2%'
         then u.encrypted_password = extensions.crypt($2, u.encrypted_password) else false end as valid,
       u.email_confirmed_at is not null as confirmed,
       coalesce(u.banned_until > now(), false) as banned
     from auth.users u where lower(u.email) = lower($1) and u.deleted_at is null`,
    [email, password],
  )
  return rows[0]
}
