/**
 * @module
 * The pipeline's store port over Supabase (service role). Rows are parsed with zod here, the one
 * edge between SQL's snake_case and the pipeline's types; the rules themselves stay in SQL.
 */

import { z } from 'zod'
import type { PipelineStore } from '../pipeline/store.ts'
import type { Conversation, RunRecord, TenantSettings } from '../pipeline/types.ts'
import { check, rows } from './postgrest.ts'
import {
  claimResult,
  conversationRow,
  enqueueRow,
  labelResult,
  messageColumns,
  messageRow,
  secretsRow,
  tenantRow,
  toMessage,
} from './rows.ts'
import type { Db } from './supabase.ts'

export function createSupabaseStore(db: Db): PipelineStore {
  return {
    async getMessage(id) {
      const data = check(
        'load message',
        await db.from('messages').select(messageColumns).eq('id', id).maybeSingle(),
      )
      return data ? toMessage(messageRow.parse(data)) : null
    },

    async getConversation(id) {
      const data = check(
        'load conversation',
        await db
          .from('conversations')
          .select('id,tenant_id,channel_id,mode,status,customer_name,customer_phone')
          .eq('id', id)
          .maybeSingle(),
      )
      if (!data) return null
      const row = conversationRow.parse(data)
      return {
        id: row.id,
        tenantId: row.tenant_id,
        channelId: row.channel_id,
        mode: row.mode,
        status: row.status,
        customerName: row.customer_name,
        customerPhone: row.customer_phone,
      } satisfies Conversation
    },

    async getTenant(id) {
      const data = check(
        'load tenant',
        await db.from('tenants').select(Object.keys(tenantRow.shape).join(',')).eq('id', id).maybeSingle(),
      )
      if (!data) return null
      const row = tenantRow.parse(data)
      return {
        id: row.id,
        name: row.name,
        aiProvider: row.ai_provider,
        aiModel: row.ai_model,
        aiHttpUrl: row.ai_http_url,
        aiHttpMapping: row.ai_http_mapping,
        systemPrompt: row.system_prompt,
        language: row.language,
        debounceSeconds: row.debounce_seconds,
        contextMessages: row.context_messages,
        handoffKeywords: row.handoff_keywords,
        fallbackText: row.fallback_text,
        shopifyShopDomain: row.shopify_shop_domain,
        aiAcceptsImages: row.ai_accepts_images,
        transcriptionModel: row.transcription_model,
        ...(row.ai_may_label ? { aiLabels: await labelNames(id) } : {}),
      } satisfies TenantSettings
    },

    async getTenantSecrets(tenantId) {
      const row = secretsRow.parse(
        check('load tenant secrets', await db.rpc('get_tenant_secrets', { p_tenant_id: tenantId })) ?? {},
      )
      return {
        openaiApiKey: row.openai_api_key || null,
        shopifyAccessToken: row.shopify_access_token || null,
        aiHttpSecret: row.ai_http_secret || null,
        aiHttpHeaderSecret: row.ai_http_header_secret || null,
      }
    },

    async latestIncomingId(conversationId) {
      const data = rows(
        'find latest incoming message',
        await db
          .from('messages')
          .select('id')
          .eq('conversation_id', conversationId)
          .eq('direction', 'in')
          .is('deleted_at', null)
          .is('csat', null)
          .order('created_at', { ascending: false })
          .order('id', { ascending: false })
          .limit(1),
      )
      return data[0]?.id ?? null
    },

    async recentMessages(conversationId, limit) {
      const data = rows(
        'load recent messages',
        await db
          .from('messages')
          .select(messageColumns)
          .eq('conversation_id', conversationId)
          .eq('private', false)
          // The rating question and answer (ADR 096) are between the customer and the store.
          .is('csat', null)
          .order('created_at', { ascending: false })
          .order('id', { ascending: false })
          .limit(limit),
      )
      return z.array(messageRow).parse(data).map(toMessage).reverse()
    },

    async claimRun(trigger, provider) {
      const claim = claimResult.parse(
        check(
          'claim AI run',
          await db.rpc('claim_ai_run', { p_trigger_message_id: trigger.id, p_provider: provider }),
        ),
      )
      return { runId: claim.run_id, won: claim.won }
    },

    async releaseRun(runId) {
      check('release AI run', await db.from('ai_runs').delete().eq('id', runId))
    },

    async finishRun(runId, record: RunRecord) {
      check(
        'record AI run',
        await db
          .from('ai_runs')
          .update({
            provider: record.provider,
            model: record.model,
            prompt_tokens: record.promptTokens,
            completion_tokens: record.completionTokens,
            latency_ms: record.latencyMs,
            tools: record.tools.map((t) => ({ name: t.name, ok: t.ok, ms: t.ms, count: t.count })),
            outcome: record.outcome,
            reason: record.reason,
            reply_message_id: record.replyMessageId,
          })
          .eq('id', runId),
      )
    },

    async enqueueReply(triggerMessageId, body, media) {
      const row = enqueueRow.parse(
        check(
          'enqueue AI reply',
          await db.rpc('enqueue_ai_reply', {
            p_trigger_message_id: triggerMessageId,
            p_body: body,
            ...(media ? { p_media: { ...media } } : {}),
          }),
        ),
      )
      return {
        enqueued: row.enqueued,
        reason: row.reason ?? null,
        messageId: row.message_id ?? null,
        ...(row.media_dropped ? { mediaDropped: true } : {}),
        ...(row.template ? { template: row.template } : {}),
      }
    },

    async saveTranscript(messageId, transcript) {
      check(
        'store transcript',
        await db.rpc('set_message_transcript', { p_message_id: messageId, p_transcript: transcript }),
      )
    },

    async handoff(conversationId, reason) {
      check('hand off', await db.rpc('ai_handoff', { p_conversation_id: conversationId, p_reason: reason }))
    },

    async setLabel(conversationId, labelName) {
      const data = check(
        'set label',
        await db.rpc('ai_set_label', { p_conversation_id: conversationId, p_label_name: labelName }),
      )
      return labelResult.parse(data)
    },
  }

  async function labelNames(tenantId: string): Promise<string[]> {
    const data = rows(
      'load labels',
      await db.from('labels').select('name').eq('tenant_id', tenantId).order('name'),
    )
    return data.map((label) => label.name)
  }
}
