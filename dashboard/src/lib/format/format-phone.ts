/**
 * Shows a WhatsApp phone as "+52 1 55 1234 5678"-ish groups without guessing national formats:
 * digits only, a leading +, and groups of 4 from the end so long numbers stay readable.
 * WhatsApp chat ids (5215512345678@c.us) are accepted; @lid ids have no phone and return ''.
 */
export function formatPhone(raw: string | null | undefined): string {
  if (!raw || raw.endsWith('@lid')) return ''
  const digits = raw.split('@')[0]?.replace(/\D/g, '') ?? ''
  if (digits.length < 6) return digits
  const groups: string[] = []
  let rest = digits
  while (rest.length > 6) {
    groups.unshift(rest.slice(-4))
    rest = rest.slice(0, -4)
  }
  groups.unshift(rest)
  return `+${groups.join(' ')}`
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
