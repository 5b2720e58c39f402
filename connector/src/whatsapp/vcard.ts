/**
 * @module
 * The contact cards WhatsApp shares (`vcard`, `multi_vcard`) arrive as vCard text
 * (RFC 6350; WhatsApp writes 3.0). Relevo keeps what an agent needs: the name and the numbers.
 */

export interface SharedContact {
  name: string
  phones: string[]
}

/** Lines of a vCard with folded continuations joined (RFC 6350 §3.2). */
function unfold(text: string): string[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/)
}

/** `FN`, else `N` (family;given;…), else the first number; `TEL` values with WhatsApp's `waid` preferred. */
export function parseVCard(text: string): SharedContact {
  let fullName = ''
  let structured = ''
  const phones: string[] = []
  for (const line of unfold(text)) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const [property = '', ...params] = line.slice(0, colon).split(';')
    const value = line.slice(colon + 1).trim()
    const name = property.replace(/^item\d+\./i, '').toUpperCase()
    if (name === 'FN') fullName = value
    else if (name === 'N') structured = value.split(';').slice(0, 2).reverse().join(' ').trim()
    else if (name === 'TEL' && value) {
      const waid = params.find((p) => p.toLowerCase().startsWith('waid='))
      phones.push(waid ? `+${waid.slice(5)}` : value)
    }
  }
  return { name: fullName || structured || phones[0] || 'Contact', phones }
}
