/**
 * @module
 * The monitoring API's answers as zod schemas: the one source of both the OpenAPI document
 * (`functions/openapi/monitoring.json`, served at GET /api/openapi.json) and of its test, which
 * validates real answers against the committed document.
 */
import { Constants } from '@relevo/supabase/types'
import { z } from 'zod'

const E = Constants.public.Enums
const time = z.iso.datetime({ offset: true }).describe('ISO 8601 time')
const uuid = z.uuid()

export const channelHealth = z
  .object({
    id: uuid,
    tenant_id: uuid,
    name: z.string(),
    kind: z.enum(E.channel_kind),
    phone: z.string().nullable(),
    status: z.enum(E.channel_status),
    last_heartbeat_at: time.nullable(),
    status_changed_at: time,
    heartbeat_stale: z.boolean().describe('no connector heartbeat for HEARTBEAT_STALE_SECONDS'),
  })
  .meta({ id: 'ChannelHealth' })

const outcomes = z.object({
  replied: z.number().int(),
  handoff: z.number().int(),
  failed: z.number().int(),
  dropped: z.number().int(),
  skipped: z.number().int(),
})

export const statusAnswer = z
  .object({
    ok: z.literal(true),
    channels: z.array(channelHealth),
    conversations: z.object({
      open: z.number().int(),
      ai: z.number().int(),
      human: z.number().int(),
      needs_attention: z.number().int(),
    }),
    ai: z.object({
      deployment_key: z.boolean().describe('the Worker has OPENAI_API_KEY or OPENAI_BASE_URL'),
      runs_24h: outcomes.describe('AI decisions of the last 24 hours by outcome'),
      last_run_at: time.nullable(),
    }),
    outbox: z.object({
      pending: z.number().int().describe('queued or sending'),
      failed_24h: z.number().int(),
      oldest_pending_at: time.nullable(),
    }),
  })
  .meta({ id: 'StatusAnswer' })

export const conversationSummary = z
  .object({
    id: uuid,
    tenant_id: uuid,
    channel_id: uuid,
    customer_name: z.string().nullable(),
    customer_phone: z.string().nullable(),
    mode: z.enum(E.conversation_mode),
    status: z.enum(E.conversation_status),
    assigned_agent_id: uuid.nullable(),
    needs_attention: z.boolean(),
    attention_reason: z.string().nullable(),
    unread_count: z.number().int(),
    last_message_at: time.nullable(),
    last_message_preview: z.string().nullable(),
    mode_changed_at: time,
  })
  .meta({ id: 'ConversationSummary' })

export const conversationsAnswer = z
  .object({ conversations: z.array(conversationSummary) })
  .meta({ id: 'ConversationsAnswer' })

export const agentPresence = z
  .object({
    user_id: uuid,
    tenant_id: uuid,
    display_name: z.string(),
    email: z.string(),
    role: z.enum(E.agent_role),
    active: z.boolean(),
    created_at: time,
    last_seen_at: time.nullable().describe("when the agent's desk last said it was open"),
    online: z.boolean().describe('active and seen within PRESENCE_ONLINE_SECONDS (60)'),
  })
  .meta({ id: 'AgentPresence' })

export const agentsAnswer = z
  .object({
    agents: z.array(agentPresence),
    online: z.number().int().describe('how many of them are online now'),
  })
  .meta({ id: 'AgentsAnswer' })

export const errorAnswer = z
  .object({ code: z.string(), message: z.string(), hint: z.string().optional() })
  .meta({ id: 'Error' })
