import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { expect } from 'vitest'
import { signAccessToken } from '../keys.ts'
import type { TestStandIn } from '../testing/stand-in.ts'

/** A supabase-js client acting as the user `sub` (an access token signed like GoTrue's). */
export async function clientAs(env: TestStandIn, sub: string): Promise<SupabaseClient> {
  const token = await signAccessToken(
    { role: 'authenticated', sub, aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 },
    env.standIn.keys,
  )
  return createClient(env.url, env.standIn.keys.anonKey, {
    accessToken: async () => token,
    auth: { persistSession: false, autoRefreshToken: false },
  })
}

/** Every object file the stand-in keeps on disk (temporary uploads included), for "nothing stored" checks. */
export async function storedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
}

/** Storage's error answer: HTTP 400 whatever went wrong, the status it means in the body's statusCode. */
export async function expectStorageError(
  response: Response,
  body: { statusCode: string; code: string; error: string; message: string },
): Promise<void> {
  expect(response.status).toBe(400)
  expect(await response.json()).toEqual(body)
}
