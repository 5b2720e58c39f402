import type { PostgrestSingleResponse } from '@supabase/supabase-js'
import { toDeskError } from './desk-error.ts'

/**
 * The data of a typed query or RPC (its type comes from the schema through `SupabaseClient<Database>`),
 * or its failure as a DeskError.
 */
export async function result<T>(query: PromiseLike<PostgrestSingleResponse<T>>): Promise<T> {
  const response = await query
  if (response.error) throw toDeskError(response.error, response.status)
  return response.data
}
