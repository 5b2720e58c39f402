import { CheckEnums, isOneOf, type TenantLanguage } from '@relevo/supabase/enums'
import type { Enums } from '@relevo/supabase/types'
import type { TenantSettings } from '../admin/types.ts'
import type { AdminKey } from '../i18n/admin.es.ts'
import type { Params } from '../i18n/translate.ts'
import { type CoordinatorForm, parseCoordinatorForm, toCoordinatorForm } from './coordinator-form.ts'

/** What the form inputs hold: strings everywhere, as the DOM gives them. */
export interface SettingsForm {
  ai_provider: Enums<'ai_provider'>
  ai_model: string
  ai_http_url: string
  ai_http_mapping: CoordinatorForm
  system_prompt: string
  language: TenantLanguage
  debounce_seconds: string
  context_messages: string
  auto_return_minutes: string
  handoff_keywords: string
  fallback_text: string
  shopify_shop_domain: string
  ai_accepts_images: boolean
  transcription_model: string
}

export type FieldError = { key: AdminKey; params?: Params }
export type ParseResult =
  | { ok: true; settings: TenantSettings }
  | { ok: false; errors: Partial<Record<keyof SettingsForm, FieldError>> }

export function toForm(s: TenantSettings): SettingsForm {
  return {
    ai_provider: s.ai_provider,
    ai_model: s.ai_model,
    ai_http_url: s.ai_http_url ?? '',
    ai_http_mapping: toCoordinatorForm(s.ai_http_mapping),
    system_prompt: s.system_prompt,
    // The column's CHECK allows only these; the form's select offers nothing else.
    language: isOneOf(CheckEnums['tenants.language'], s.language) ? s.language : 'es',
    debounce_seconds: String(s.debounce_seconds),
    context_messages: String(s.context_messages),
    auto_return_minutes: s.auto_return_minutes == null ? '' : String(s.auto_return_minutes),
    handoff_keywords: s.handoff_keywords.join('\n'),
    fallback_text: s.fallback_text,
    shopify_shop_domain: s.shopify_shop_domain ?? '',
    ai_accepts_images: s.ai_accepts_images,
    transcription_model: s.transcription_model,
  }
}

/** One keyword per line (commas also split), trimmed, lower-cased, without blanks or repeats. */
export function parseKeywords(text: string): string[] {
  const words = text
    .split(/[\n,]/)
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean)
  return [...new Set(words)]
}

/**
 * Checks the form against the same limits as the table's CHECK constraints, so the admin sees
 * which field is wrong before the database refuses the whole update.
 */
export function parseForm(f: SettingsForm): ParseResult {
  const errors: Partial<Record<keyof SettingsForm, FieldError>> = {}
  const int = (
    field: keyof SettingsForm,
    value: string,
    { min, max }: { min: number; max: number },
  ): number => {
    const n = Number(value.trim())
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      errors[field] = { key: 'settings.invalid.range', params: { min, max } }
    return n
  }
  const model = f.ai_model.trim()
  if (!model) errors.ai_model = { key: 'settings.invalid.required' }
  else if (model.length > 100) errors.ai_model = { key: 'settings.invalid.length', params: { max: 100 } }
  const transcription = f.transcription_model.trim()
  if (!transcription) errors.transcription_model = { key: 'settings.invalid.required' }
  else if (transcription.length > 100)
    errors.transcription_model = { key: 'settings.invalid.length', params: { max: 100 } }
  const url = f.ai_http_url.trim()
  if (url && !/^https?:\/\//.test(url)) errors.ai_http_url = { key: 'settings.invalid.url' }
  if (f.ai_provider === 'http' && !url) errors.ai_http_url = { key: 'settings.invalid.required' }
  const mapping = parseCoordinatorForm(f.ai_http_mapping)
  if (!mapping.ok)
    errors.ai_http_mapping = {
      key: 'settings.invalid.mapping',
      params: { detail: mapping.problems.join('; ') },
    }
  if (f.system_prompt.length > 20_000)
    errors.system_prompt = { key: 'settings.invalid.length', params: { max: 20_000 } }
  const fallback = f.fallback_text.trim()
  if (!fallback) errors.fallback_text = { key: 'settings.invalid.required' }
  else if (fallback.length > 1000)
    errors.fallback_text = { key: 'settings.invalid.length', params: { max: 1000 } }
  const domain = f.shopify_shop_domain.trim().toLowerCase()
  if (domain && !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(domain))
    errors.shopify_shop_domain = { key: 'settings.invalid.domain' }
  const debounce = int('debounce_seconds', f.debounce_seconds, { min: 0, max: 120 })
  const context = int('context_messages', f.context_messages, { min: 1, max: 100 })
  const autoReturn =
    f.auto_return_minutes.trim() === ''
      ? null
      : int('auto_return_minutes', f.auto_return_minutes, { min: 1, max: 10_080 })
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    settings: {
      ai_provider: f.ai_provider,
      ai_model: model,
      ai_http_url: url || null,
      ai_http_mapping: mapping.ok ? mapping.mapping : null,
      system_prompt: f.system_prompt,
      language: f.language,
      debounce_seconds: debounce,
      context_messages: context,
      auto_return_minutes: autoReturn,
      handoff_keywords: parseKeywords(f.handoff_keywords),
      fallback_text: fallback,
      shopify_shop_domain: domain || null,
      ai_accepts_images: f.ai_accepts_images,
      transcription_model: transcription,
    },
  }
}

/** Only the fields that differ, so the audit entry names what the admin actually changed. */
export function changedSettings(before: TenantSettings, after: TenantSettings): Partial<TenantSettings> {
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(after) as (keyof TenantSettings)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) patch[key] = after[key]
  }
  return patch as Partial<TenantSettings>
}
