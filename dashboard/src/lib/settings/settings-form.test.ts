import { describe, expect, it } from 'vitest'
import type { TenantSettings } from '../admin/types.ts'
import { changedSettings, parseForm, parseKeywords, toForm } from './settings-form.ts'

const settings: TenantSettings = {
  ai_provider: 'openai',
  ai_model: 'gpt-4o-mini',
  ai_http_url: null,
  ai_http_mapping: null,
  system_prompt: 'Eres amable.',
  language: 'es',
  debounce_seconds: 4,
  context_messages: 20,
  auto_return_minutes: null,
  handoff_keywords: ['humano', 'persona'],
  fallback_text: 'Te comunico con una persona.',
  shopify_shop_domain: null,
  ai_accepts_images: true,
  transcription_model: 'gpt-4o-mini-transcribe',
}

describe('settings form', () => {
  it('round-trips the stored settings unchanged', () => {
    const parsed = parseForm(toForm(settings))
    expect(parsed).toEqual({ ok: true, settings })
    if (parsed.ok) expect(changedSettings(settings, parsed.settings)).toEqual({})
  })

  it('reports each invalid field with the limit the database enforces', () => {
    const parsed = parseForm({
      ...toForm(settings),
      ai_provider: 'http',
      ai_http_url: '',
      debounce_seconds: '121',
      context_messages: '2.5',
      auto_return_minutes: '0',
      fallback_text: '  ',
      shopify_shop_domain: 'shop.example.com',
      transcription_model: ' ',
    })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors).toEqual({
      ai_http_url: { key: 'settings.invalid.required' },
      debounce_seconds: { key: 'settings.invalid.range', params: { min: 0, max: 120 } },
      context_messages: { key: 'settings.invalid.range', params: { min: 1, max: 100 } },
      auto_return_minutes: { key: 'settings.invalid.range', params: { min: 1, max: 10_080 } },
      fallback_text: { key: 'settings.invalid.required' },
      shopify_shop_domain: { key: 'settings.invalid.domain' },
      transcription_model: { key: 'settings.invalid.required' },
    })
  })

  it('turns image input off and changes the transcription model (trimmed)', () => {
    const parsed = parseForm({
      ...toForm(settings),
      ai_accepts_images: false,
      transcription_model: ' whisper-1 ',
    })
    expect(parsed.ok && changedSettings(settings, parsed.settings)).toEqual({
      ai_accepts_images: false,
      transcription_model: 'whisper-1',
    })
  })

  it('normalises blanks to null and keeps only what changed', () => {
    const parsed = parseForm({
      ...toForm(settings),
      auto_return_minutes: ' 30 ',
      shopify_shop_domain: 'Mi-Tienda.myshopify.com',
      fallback_text: ' Ya viene alguien. ',
    })
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(changedSettings(settings, parsed.settings)).toEqual({
      auto_return_minutes: 30,
      shopify_shop_domain: 'mi-tienda.myshopify.com',
      fallback_text: 'Ya viene alguien.',
    })
  })

  it('splits keywords by line or comma, without blanks or repeats', () => {
    expect(parseKeywords('Humano\n persona, humano\n\nhablar con alguien')).toEqual([
      'humano',
      'persona',
      'hablar con alguien',
    ])
  })
})
