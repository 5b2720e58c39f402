/**
 * @module
 * The signature of an event (ADR 090), as Stripe and Meta sign theirs:
 * `X-Relevo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the signed text, so a receiver can refuse replays older than 5 minutes.
 */

import { hmacHex } from '../shared/signature.ts'

/** The X-Relevo-Signature value for `body` sent at `unixSeconds`. */
export async function signatureHeader(secret: string, unixSeconds: number, body: string): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`
}
