/**
 * The digits of a phone number typed in international format ("+52 1 (55) 1234-5678" →
 * "5215512345678"), or null when it is not E.164 (8 to 15 digits, no leading zero). The same rule
 * as SQL's private.e164_digits, checked here first so the agent is told before sending.
 */
export function e164Digits(phone: string): string | null {
  const compact = phone.trim().replace(/[\s().-]/g, '')
  return /^\+?[1-9]\d{7,14}$/.test(compact) ? compact.replace(/^\+/, '') : null
}
