import type { MessageKey } from './es.ts'
import { detectLocale, isLocale, type Locale, type Params, translate, translateError } from './translate.ts'

const STORAGE_KEY = 'relevo.locale'

/** The current language: the agent's saved choice, else the browser's, and switchable at run time. */
class I18n {
  locale = $state<Locale>('es')

  init(storage: Pick<Storage, 'getItem'> | undefined, preferences: readonly string[]): void {
    const saved = storage?.getItem(STORAGE_KEY)
    this.locale = isLocale(saved) ? saved : detectLocale(preferences)
    this.syncDocument()
  }

  set(locale: Locale, storage?: Pick<Storage, 'setItem'>): void {
    this.locale = locale
    storage?.setItem(STORAGE_KEY, locale)
    this.syncDocument()
  }

  t = (key: MessageKey, params?: Params): string => translate(this.locale, key, params)

  error = (code: string): string => translateError(this.locale, code)

  private syncDocument(): void {
    // Screen readers pick their voice from <html lang>.
    if (typeof document !== 'undefined') document.documentElement.lang = this.locale
  }
}

export const i18n = new I18n()
export const t = i18n.t
export const tError = i18n.error
