/**
 * @module
 * CSAT in the desk (ADR 096): the tenant's switch and question (admins, RLS), and the ratings of a
 * period per agent and per day (`csat_metrics`, checked with zod when it arrives).
 */
import type { Tables } from '@relevo/supabase/types'
import { z } from 'zod/mini'
import { parseJson } from '../admin/json-results.ts'
import { DeskError } from '../desk-error.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'

export type CsatSettings = Pick<Tables<'tenants'>, 'csat_enabled' | 'csat_question'>

const average = z.nullable(z.number())
export const csatMetrics = z.object({
  asked: z.number(),
  answered: z.number(),
  average,
  by_score: z.record(z.string(), z.number()),
  by_agent: z.array(
    z.object({
      agent_id: z.nullable(z.string()),
      name: z.string(),
      asked: z.number(),
      answered: z.number(),
      average,
    }),
  ),
  by_day: z.array(z.object({ day: z.string(), answered: z.number(), average })),
})
export type CsatMetrics = z.infer<typeof csatMetrics>

export function createCsatApi(db: Db) {
  return {
    settings: (tenantId: string) =>
      result(db.from('tenants').select('csat_enabled,csat_question').eq('id', tenantId).single()),
    save: async (tenantId: string, patch: CsatSettings) => {
      const rows = await result(
        db.from('tenants').update(patch).eq('id', tenantId).select('csat_enabled,csat_question'),
      )
      if (!rows[0]) throw new DeskError('not_saved', 'The CSAT settings update changed no row')
      return rows[0]
    },
    metrics: async (from: Date, to: Date) =>
      parseJson(
        'csat_metrics',
        csatMetrics,
        await result(db.rpc('csat_metrics', { p_from: from.toISOString(), p_to: to.toISOString() })),
      ),
  }
}
