/**
 * @module
 * The signature of an event (ADR 090), as Stripe and Meta sign theirs:
 * `X-Relevo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the signed text, so a receiver can refuse replays older than 5 minutes.
 */

const encoder = new TextEncoder()

export async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)))
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The X-Relevo-Signature value for `body` sent at `unixSeconds`. */
export async function signatureHeader(secret: string, unixSeconds: number, body: string): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`
}
