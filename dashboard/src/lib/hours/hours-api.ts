import { DeskError } from '../desk-error.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'
import { DESK_COLUMNS, type DeskSettings, type Holiday, type Span } from './types.ts'

/**
 * The business-hours screen's reads and writes (ADR 094/095): RLS lets only admins write, and a
 * refused write changes no row, which is reported as not_saved.
 */
export function createHoursApi(db: Db) {
  const touched = <T>(rows: T[]): T => {
    const row = rows[0]
    if (!row) throw new DeskError('not_saved', 'The change touched no row')
    return row
  }
  return {
    spans: () =>
      result(
        db
          .from('business_hours')
          .select('id, weekday, opens_at, closes_at')
          .order('weekday')
          .order('opens_at'),
      ),
    addSpan: async (tenantId: string, span: Omit<Span, 'id'>) =>
      touched(
        await result(
          db
            .from('business_hours')
            .insert({ tenant_id: tenantId, ...span })
            .select('id, weekday, opens_at, closes_at'),
        ),
      ),
    removeSpan: async (id: string) =>
      touched(await result(db.from('business_hours').delete().eq('id', id).select('id'))),
    holidays: () => result(db.from('business_holidays').select('day, name').order('day')),
    addHoliday: async (tenantId: string, holiday: Holiday) =>
      touched(
        await result(
          db
            .from('business_holidays')
            .insert({ tenant_id: tenantId, ...holiday })
            .select('day, name'),
        ),
      ),
    removeHoliday: async (tenantId: string, day: string) =>
      touched(
        await result(
          db.from('business_holidays').delete().eq('tenant_id', tenantId).eq('day', day).select('day'),
        ),
      ),
    settings: (tenantId: string) =>
      result(db.from('tenants').select(DESK_COLUMNS).eq('id', tenantId).single()),
    saveSettings: async (tenantId: string, patch: Partial<DeskSettings>) =>
      touched(await result(db.from('tenants').update(patch).eq('id', tenantId).select(DESK_COLUMNS))),
    /** Open now, or when it opens next (null: no opening within a year). */
    status: async (tenantId: string) => {
      const open = await result(db.rpc('is_open_at', { p_tenant_id: tenantId }))
      if (open) return { open: true, next: null }
      return { open: false, next: await result(db.rpc('next_opening', { p_tenant_id: tenantId })) }
    },
  }
}

export type HoursApi = ReturnType<typeof createHoursApi>
