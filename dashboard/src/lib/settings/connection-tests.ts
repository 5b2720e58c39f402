/**
 * The Settings screen's Test buttons, through the functions app: the coordinator (a sample chat
 * through the mapping being edited, ADR 115) and Shopify (the shop's name). Each answers what
 * happened or why not, in the functions' words, for the admin to act on.
 */
import type { CoordinatorMapping } from '@relevo/supabase/coordinator-mapping'
import { DeskError } from '../desk-error.ts'
import { callFunctions } from '../functions-api.ts'
import type { Db } from '../types.ts'

export type CoordinatorTest =
  | {
      ok: true
      sent: unknown
      decision: { kind: 'reply'; text: string } | { kind: 'handoff'; reason: string }
    }
  | { ok: false; sent?: unknown; message: string }

export type ShopTest = { ok: true; name: string; domain: string } | { ok: false; message: string }

async function failureAsResult<T>(call: () => Promise<T>): Promise<T | { ok: false; message: string }> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof DeskError) return { ok: false, message: error.message }
    throw error
  }
}

export function createConnectionTests(db: Db) {
  return {
    coordinator: (url: string, mapping: CoordinatorMapping | null) =>
      failureAsResult(async () => {
        const answer = await callFunctions<
          CoordinatorTest | { ok: false; sent: unknown; code: string; message: string; hint?: string }
        >(db, 'POST', '/api/ai/coordinator/test', { url, mapping })
        if (answer.ok || !('hint' in answer) || !answer.hint) return answer as CoordinatorTest
        return { ok: false as const, sent: answer.sent, message: `${answer.message}. ${answer.hint}` }
      }),
    shopify: () =>
      failureAsResult(async () => {
        const { shop } = await callFunctions<{ shop: { name: string; domain: string } }>(
          db,
          'GET',
          '/api/shopify/shop',
        )
        return { ok: true as const, name: shop.name, domain: shop.domain }
      }),
  }
}
