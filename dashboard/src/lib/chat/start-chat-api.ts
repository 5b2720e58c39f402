import type { Tables } from '@relevo/supabase/types'
import type { Template } from '../cloud-api/cloud-api.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'

export type StartChannel = Pick<Tables<'channels'>, 'id' | 'name' | 'phone' | 'kind' | 'status'>

/** Start a chat (ADR 093): the tenant's numbers (RLS: agents read them) and the SQL function. */
export function createStartChatApi(db: Db) {
  return {
    channels: (): Promise<StartChannel[]> =>
      result(
        db
          .from('channels')
          .select('id, name, phone, kind, status')
          .is('archived_at', null)
          .order('created_at'),
      ),
    /**
     * The queued first message; its conversation_id opens the chat. A Cloud API number needs
     * `template` (the body is then its preview, the text the customer reads).
     */
    start: (args: {
      channelId: string
      phone: string
      body: string
      name: string
      clientRef: string
      template?: { template: Template; parameters: string[] }
    }) =>
      result(
        db.rpc('start_conversation', {
          p_channel_id: args.channelId,
          p_phone: args.phone,
          p_body: args.body,
          p_customer_name: args.name,
          p_client_ref: args.clientRef,
          ...(args.template && {
            p_template: {
              name: args.template.template.name,
              language: args.template.template.language,
              parameters: args.template.parameters,
              preview: args.body,
            },
          }),
        }),
      ),
  }
}
