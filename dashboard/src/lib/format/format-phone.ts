// ITU E.164 country codes of 1 and 2 digits; every other code has 3 (enough to place one space right).
const ONE_DIGIT = new Set(['1', '7'])
const TWO_DIGITS = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' ',
  ),
)

function countryCodeLength(digits: string): number {
  if (ONE_DIGIT.has(digits.slice(0, 1))) return 1
  return TWO_DIGITS.has(digits.slice(0, 2)) ? 2 : 3
}

/**
 * Shows a WhatsApp phone as "+52 155 1234 5678": the country code, then groups of 3–4 from the end,
 * without guessing each country's national format. WhatsApp chat ids (5215512345678@c.us) are
 * accepted; @lid ids carry no phone and give ''.
 */
export function formatPhone(raw: string | null | undefined): string {
  if (!raw || raw.endsWith('@lid')) return ''
  const digits = raw.split('@')[0]?.replace(/\D/g, '') ?? ''
  if (digits.length < 8) return digits
  const cc = countryCodeLength(digits)
  const rest = digits.slice(cc)
  const groups = [rest.slice(-4)]
  let head = rest.slice(0, -4)
  while (head.length > 7) {
    groups.unshift(head.slice(-4))
    head = head.slice(0, -4)
  }
  // 6 or 7 digits left read better as 3 + 3/4 ("415 555 0123", "155 1234 5678").
  if (head.length >= 6) groups.unshift(head.slice(0, 3), head.slice(3))
  else if (head) groups.unshift(head)
  return `+${digits.slice(0, cc)} ${groups.join(' ')}`
}

/** A customer's display name: the WhatsApp name, else the phone, else the chat id. */
export function customerLabel(conv: {
  customer_name: string | null
  customer_phone: string | null
  wa_chat_id: string
}): string {
  return (
    conv.customer_name?.trim() ||
    formatPhone(conv.customer_phone) ||
    formatPhone(conv.wa_chat_id) ||
    conv.wa_chat_id
  )
}
