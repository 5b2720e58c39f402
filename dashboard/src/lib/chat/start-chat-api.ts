import type { Tables } from '@relevo/supabase/types'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'

export type StartChannel = Pick<Tables<'channels'>, 'id' | 'name' | 'phone' | 'kind' | 'status'>

/** Start a chat (ADR 093): the tenant's numbers (RLS: agents read them) and the SQL function. */
export function createStartChatApi(db: Db) {
  return {
    channels: (): Promise<StartChannel[]> =>
      result(db.from('channels').select('id, name, phone, kind, status').order('created_at')),
    /** The queued first message; its conversation_id opens the chat. */
    start: (args: { channelId: string; phone: string; body: string; name: string; clientRef: string }) =>
      result(
        db.rpc('start_conversation', {
          p_channel_id: args.channelId,
          p_phone: args.phone,
          p_body: args.body,
          p_customer_name: args.name,
          p_client_ref: args.clientRef,
        }),
      ),
  }
}
