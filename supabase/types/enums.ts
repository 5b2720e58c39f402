/**
 * @module
 * The value lists the schema keeps as CHECK constraints on text columns rather than as Postgres
 * enums (so the generated types say `string`). TypeScript takes them from here and nowhere else;
 * supabase/tests/database-types.test.ts checks each list against the catalog, so a migration that
 * changes a constraint fails the tests until this file follows. Postgres enums come from
 * `Constants.public.Enums` / `Enums<'…'>` in ./database.ts.
 */
import type { Enums } from './database.ts'

/** Who wrote a message: read by every package, so it has a name here (a Postgres enum). */
export type MessageAuthor = Enums<'message_author'>

/** `table.column` → the values its `check (column in (…))` allows, in the migration's order. */
export const CheckEnums = {
  'messages.type': [
    'text',
    'image',
    'audio',
    'video',
    'document',
    'sticker',
    'location',
    'contacts',
    'event',
    'note',
    'unsupported',
  ],
  'ai_runs.outcome': ['replied', 'handoff', 'dropped', 'failed', 'skipped'],
  'audit_log.actor_kind': ['agent', 'ai', 'phone', 'system', 'connector'],
  'tenants.language': ['es', 'en'],
  'messages.media_status': ['pending', 'stored', 'failed', 'expired'],
  'media_limits.kind': ['image', 'audio', 'video', 'document'],
  'webhook_events.type': [
    'message_received',
    'message_sent',
    'message_status',
    'mode_changed',
    'conversation_assigned',
    'conversation_closed',
    'handoff_requested',
    'webhook_test',
  ],
  'webhook_deliveries.status': ['pending', 'sending', 'delivered', 'failed'],
  'messages.csat': ['question', 'answer'],
  'csat_responses.outcome': ['answered', 'not_answered'],
} as const

export type CheckEnum<K extends keyof typeof CheckEnums> = (typeof CheckEnums)[K][number]

export type MessageType = CheckEnum<'messages.type'>
export type AiRunOutcome = CheckEnum<'ai_runs.outcome'>
export type AuditActorKind = CheckEnum<'audit_log.actor_kind'>
export type TenantLanguage = CheckEnum<'tenants.language'>
export type MediaStatus = CheckEnum<'messages.media_status'>
export type MediaKind = CheckEnum<'media_limits.kind'>
export type WebhookDeliveryStatus = CheckEnum<'webhook_deliveries.status'>

/** Narrows a column's `string` to its constraint's values (a row read through the typed client). */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return (values as readonly unknown[]).includes(value)
}
