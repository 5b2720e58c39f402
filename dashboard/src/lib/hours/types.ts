// The rows of the business-hours screen, as views of the generated schema types: a migration that
// renames a column they read fails `pnpm typecheck`.
import type { Tables } from '@relevo/supabase/types'

export type Span = Pick<Tables<'business_hours'>, 'id' | 'weekday' | 'opens_at' | 'closes_at'>
export type Holiday = Pick<Tables<'business_holidays'>, 'day' | 'name'>

/** The tenant columns of this screen (grant update on public.tenants). */
export type DeskSettings = Pick<
  Tables<'tenants'>,
  | 'timezone'
  | 'ai_enabled'
  | 'away_text'
  | 'after_hours_handoff_text'
  | 'auto_assign'
  | 'agent_capacity'
  | 'offline_requeue_minutes'
>

export const DESK_COLUMNS =
  'timezone, ai_enabled, away_text, after_hours_handoff_text, auto_assign, agent_capacity, offline_requeue_minutes'
