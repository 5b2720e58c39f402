import { en } from './en.ts'
import { es, type MessageKey } from './es.ts'

export type Locale = 'es' | 'en'
export const LOCALES: readonly Locale[] = ['es', 'en']
export type Params = Record<string, string | number>
/** `t` as pure helpers take it, so they can be tested in any language without the i18n store. */
export type Translate = (key: MessageKey, params?: Params) => string

const dictionaries: Record<Locale, Record<MessageKey, string>> = { es, en }

/** Fills `{name}` placeholders; an unknown placeholder stays visible so a missing param is noticed. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  return interpolate(dictionaries[locale][key], params)
}

/** The first supported language among the browser's preferences (`navigator.languages`), else Spanish. */
export function detectLocale(preferences: readonly string[]): Locale {
  for (const tag of preferences) {
    const base = tag.toLowerCase().split('-')[0]
    if (base === 'es' || base === 'en') return base
  }
  return 'es'
}

export function isLocale(value: unknown): value is Locale {
  return value === 'es' || value === 'en'
}

/** An error code from DeskError (DETAIL of a SQL error) as a sentence; unknown codes read "something went wrong". */
export function translateError(locale: Locale, code: string): string {
  const key = `error.${code}`
  return key in es ? translate(locale, key as MessageKey) : translate(locale, 'error.generic')
}
