import type { Locale } from '../i18n/translate.ts'

/** Shopify's Money (a decimal string and an ISO currency) in the desk's language: "$249.00". */
export function formatMoney(money: { amount: string; currencyCode: string }, locale: Locale): string {
  const value = Number(money.amount)
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: money.currencyCode }).format(value)
  } catch {
    // An unknown currency code: the number and the code as they came.
    return `${money.amount} ${money.currencyCode}`
  }
}
