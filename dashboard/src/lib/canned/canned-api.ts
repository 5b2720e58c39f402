import { DeskError } from '../desk-error.ts'
import { result } from '../query-result.ts'
import type { CannedReply, Db } from '../types.ts'

const COLUMNS = 'id, shortcut, body, owner_id'

/** The one row a write returned; none means RLS refused it (another agent's reply, or a shared one). */
async function one(rows: Promise<CannedReply[]>): Promise<CannedReply> {
  let row: CannedReply | undefined
  try {
    row = (await rows)[0]
  } catch (error) {
    // The unique indexes: one shortcut among the shared replies, one among each agent's own.
    if (error instanceof DeskError && error.code === '23505')
      throw new DeskError('shortcut_taken', 'That shortcut is already used', { cause: error })
    throw error
  }
  if (!row) throw new DeskError('not_saved', 'The canned reply change touched no row')
  return row
}

/**
 * The replies screen's writes, straight to the table under RLS (ADR 092): an agent writes their
 * own replies, admins also the shared ones.
 */
export function createCannedApi(db: Db) {
  return {
    /** `ownerId` null: a shared reply (admins only); otherwise the caller's own. */
    create: (tenantId: string, ownerId: string | null, shortcut: string, body: string) =>
      one(
        result(
          db
            .from('canned_replies')
            .insert({ tenant_id: tenantId, owner_id: ownerId, shortcut, body })
            .select(COLUMNS),
        ),
      ),
    update: (id: string, patch: Pick<CannedReply, 'shortcut' | 'body'>) =>
      one(result(db.from('canned_replies').update(patch).eq('id', id).select(COLUMNS))),
    remove: (id: string) => one(result(db.from('canned_replies').delete().eq('id', id).select(COLUMNS))),
  }
}
