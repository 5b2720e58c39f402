import type { Json } from '@relevo/supabase/types'

export type JsonObject = { [key: string]: Json | undefined }

/**
 * A jsonb column (messages.media, ai_runs.tools[], audit_log.details) as an object to read keys from;
 * anything else (null, an array, a scalar) reads as empty, so a missing detail shows as missing.
 */
export function jsonObject(value: Json | undefined): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}
}
