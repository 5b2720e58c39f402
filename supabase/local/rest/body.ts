import type { Context } from 'hono'
import { notSupported, PostgrestError } from './errors.ts'

/**
 * Reads a JSON body as PostgREST's Payload.hs does: an empty body is `{}` for a function call
 * and 400 PGRST102 "Empty or invalid json" for a table. Bodies PostgREST reads as CSV, form or
 * raw text/binary are refused, since the stand-in would read them differently.
 */
export async function readJsonBody(c: Context, forFunction: boolean): Promise<unknown> {
  const type = (c.req.header('Content-Type') ?? 'application/json').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json' && type !== '') {
    throw notSupported(`Content-Type: ${type}`, 'Send the body as application/json.')
  }
  const text = await c.req.text()
  if (text === '' && forFunction) return {}
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw invalidBody('Empty or invalid json', cause)
  }
}

export function invalidBody(message: string, cause?: unknown): PostgrestError {
  return new PostgrestError(400, { code: 'PGRST102', details: null, hint: null, message }, { cause })
}

/**
 * The rows of an insert: an object is one row, an array is the rows, and anything else inserts
 * nothing, as on PostgREST. Without `columns=` every object must have the same keys.
 */
export function insertRows(body: unknown, columnsGiven: boolean): Record<string, unknown>[] {
  if (isObject(body)) return [body]
  if (!Array.isArray(body)) return []
  if (!body.every(isObject)) throw invalidBody('All object keys must match')
  if (!columnsGiven && body.length > 1) {
    const keys = (row: Record<string, unknown>) => Object.keys(row).sort().join('\u0000')
    const first = keys(body[0] as Record<string, unknown>)
    if (!body.every((row) => keys(row) === first)) throw invalidBody('All object keys must match')
  }
  return body
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
