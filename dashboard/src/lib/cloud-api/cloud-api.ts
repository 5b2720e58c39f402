/**
 * The dashboard's WhatsApp Cloud API calls: numbers and their secrets through the SQL functions
 * (save_cloud_api_channel, write-only secrets), the Graph API through the functions app (Test,
 * templates), templates sent with send_template_message. ADR 120, 121.
 */
import { callFunctions } from '../functions-app.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'

export interface CloudChannelInput {
  channelId: string | null
  name: string
  phoneNumberId: string
  wabaId: string
  accessToken: string
  appSecret: string
  verifyToken: string
}

export interface NumberCheck {
  display_phone_number: string
  verified_name: string
  quality_rating: string
}

export interface Template {
  name: string
  language: string
  category: string
  body: string
  parameter_count: number
}

export function createCloudApi(db: Db) {
  return {
    numbers: () =>
      result(
        db
          .from('cloud_api_channels')
          .select(
            'channel_id, phone_number_id, waba_id, messages_per_second, display_phone_number, verified_name, quality_rating, checked_at, last_error',
          ),
      ),
    /** Empty secrets are sent as null: the stored ones are kept (write-only). */
    save: (input: CloudChannelInput) =>
      result(
        db.rpc('save_cloud_api_channel', {
          // null adds a new number (the generated type cannot say that a uuid argument may be null).
          p_channel_id: input.channelId as string,
          p_name: input.name,
          p_phone_number_id: input.phoneNumberId.trim(),
          p_waba_id: input.wabaId.trim(),
          p_access_token: input.accessToken || undefined,
          p_app_secret: input.appSecret || undefined,
          p_verify_token: input.verifyToken || undefined,
        }),
      ),
    test: (channelId: string) =>
      callFunctions<NumberCheck>(db, 'POST', `/api/cloud-api/channels/${channelId}/test`),
    templates: async (channelId: string) =>
      (
        await callFunctions<{ templates: Template[] }>(
          db,
          'GET',
          `/api/cloud-api/channels/${channelId}/templates`,
        )
      ).templates,
    sendTemplate: (conversationId: string, template: Template, parameters: string[], preview: string) =>
      result(
        db.rpc('send_template_message', {
          p_conversation_id: conversationId,
          p_name: template.name,
          p_language: template.language,
          p_parameters: parameters,
          p_preview: preview,
          p_client_ref: crypto.randomUUID(),
        }),
      ),
    /** The customer's phone shows the chat read (best effort: Meta's receipt, ADR 120). */
    markRead: (conversationId: string) =>
      callFunctions<{ sent: boolean }>(db, 'POST', `/api/cloud-api/conversations/${conversationId}/read`),
    /** What the desk needs to show a chat's window: its channel's kind and the customer's last message. */
    windowFacts: async (conversationId: string, channelId: string) => {
      const [conv, channel] = await Promise.all([
        result(db.from('conversations').select('last_customer_message_at').eq('id', conversationId).single()),
        result(db.from('channels').select('kind').eq('id', channelId).single()),
      ])
      return { kind: channel.kind, lastCustomerMessageAt: conv.last_customer_message_at }
    },
  }
}

export type CloudApi = ReturnType<typeof createCloudApi>
