/**
 * @module
 * Admin → Data: exports of a date range (export_messages, page by page, with each file linked by a
 * signed URL valid for a week) and erasing one customer (erase_customer). Both are admin-only in SQL.
 */
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'
import type { ExportRecord, ExportRow } from './export-format.ts'

const PAGE = 1000
/** Links in an export outlive the download long enough to be opened from the file. */
export const EXPORT_LINK_SECONDS = 7 * 24 * 3600

export function createDataRequestsApi(db: Db) {
  async function signedLinks(paths: string[]): Promise<Map<string, string>> {
    if (paths.length === 0) return new Map()
    const signed = await db.storage.from('media').createSignedUrls(paths, EXPORT_LINK_SECONDS)
    if (signed.error) throw signed.error
    return new Map(signed.data.flatMap((s) => (s.path && s.signedUrl ? [[s.path, s.signedUrl]] : [])))
  }

  return {
    /** Every message created in [from, to), oldest first; `onProgress` gets the running count. */
    async exportRange(from: Date, to: Date, onProgress: (count: number) => void): Promise<ExportRecord[]> {
      const records: ExportRecord[] = []
      let after: ExportRow | undefined
      for (;;) {
        const page: ExportRow[] = await result(
          db.rpc('export_messages', {
            p_from: from.toISOString(),
            p_to: to.toISOString(),
            p_limit: PAGE,
            ...(after ? { p_after_created: after.created_at, p_after_id: after.message_id } : {}),
          }),
        )
        const links = await signedLinks([
          ...new Set(page.flatMap((r) => (r.media_path ? [r.media_path] : []))),
        ])
        for (const { media_path, ...row } of page)
          records.push({ ...row, media_url: media_path ? (links.get(media_path) ?? null) : null })
        onProgress(records.length)
        if (page.length < PAGE) return records
        after = page.at(-1)
      }
    },
    /** Conversations whose customer's name or phone contains `text` (for choosing whom to erase). */
    findCustomers: (text: string) => {
      const like = `%${text.replace(/[%_,()]/g, '')}%`
      return result(
        db
          .from('conversations')
          .select('id, customer_name, customer_phone, last_message_at')
          .or(`customer_phone.ilike.${like},customer_name.ilike.${like}`)
          .order('last_message_at', { ascending: false, nullsFirst: false })
          .limit(20),
      )
    },
    erase: (conversationId: string) =>
      result(db.rpc('erase_customer', { p_conversation_id: conversationId })) as Promise<{
        conversations: number
        messages: number
        files: number
      }>,
  }
}
