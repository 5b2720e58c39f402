/**
 * The Connection screen's changes to the store's numbers (ADR 113): add a WhatsApp Web number with
 * its connector credential, issue a new credential, rename, remove. The SQL functions check the
 * admin, scope to the tenant and audit.
 */
import { z } from 'zod/mini'
import { parseJson } from '../admin/json-results.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'

/** issue_connector_credential(): the key is only ever in this answer. */
const issuedCredential = z.object({ id: z.string(), channel_id: z.string(), key: z.string() })
export type IssuedCredential = z.infer<typeof issuedCredential>

const addedNumber = z.object({ channel: z.object({ id: z.string() }), credential: issuedCredential })

export function createNumbersApi(db: Db) {
  return {
    /** The new channel's id and its credential; the channel itself arrives on the tenant feed. */
    addWhatsAppWeb: async (name: string) =>
      parseJson(
        'add_whatsapp_web_channel',
        addedNumber,
        await result(db.rpc('add_whatsapp_web_channel', { p_name: name })),
      ).credential,
    issueCredential: async (channelId: string) =>
      parseJson(
        'issue_connector_credential',
        issuedCredential,
        await result(db.rpc('issue_connector_credential', { p_channel_id: channelId, p_label: 'connector' })),
      ),
    rename: (channelId: string, name: string) =>
      result(db.rpc('rename_channel', { p_channel_id: channelId, p_name: name })),
    remove: (channelId: string, cancelQueued: boolean) =>
      result(db.rpc('remove_channel', { p_channel_id: channelId, p_cancel_queued: cancelQueued })),
  }
}

export type NumbersApi = ReturnType<typeof createNumbersApi>
