import { DeskError } from '../desk-error.ts'
import { result } from '../query-result.ts'
import type { Db, Label } from '../types.ts'

/** The labels screen's writes: RLS lets admins only (an agent's update or delete changes no row). */
export function createLabelsAdminApi(db: Db) {
  const one = (rows: Label[]): Label => {
    const row = rows[0]
    if (!row) throw new DeskError('not_saved', 'The label change touched no row')
    return row
  }
  return {
    create: async (tenantId: string, name: string, color: string) =>
      one(
        await result(
          db.from('labels').insert({ tenant_id: tenantId, name, color }).select('id, name, color'),
        ),
      ),
    update: async (id: string, patch: Pick<Label, 'name' | 'color'>) =>
      one(await result(db.from('labels').update(patch).eq('id', id).select('id, name, color'))),
    remove: async (id: string) =>
      one(await result(db.from('labels').delete().eq('id', id).select('id, name, color'))),
    aiMayLabel: async (tenantId: string) =>
      (await result(db.from('tenants').select('ai_may_label').eq('id', tenantId).single())).ai_may_label,
    setAiMayLabel: async (tenantId: string, on: boolean) => {
      const rows = await result(
        db.from('tenants').update({ ai_may_label: on }).eq('id', tenantId).select('id'),
      )
      if (rows.length === 0) throw new DeskError('not_saved', 'The settings update changed no row')
    },
  }
}
