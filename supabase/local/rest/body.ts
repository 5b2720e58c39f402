import type { Context } from 'hono'
import { PostgrestError } from './errors.ts'

/** Reads a JSON body; empty or invalid JSON is PostgREST's 400 PGRST102. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new PostgrestError(
      400,
      { code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' },
      { cause },
    )
  }
}
