/**
 * @module
 * Stripe-style request signatures, used both ways: Relevo signs its calls to a tenant's sales
 * coordinator (ADR 073), and the database signs its webhooks to this Worker (ADR 075). The
 * signature is `v1=` hex HMAC-SHA256 of `<timestamp>.<body>`; the timestamp (Unix seconds) travels
 * in its own header so that a receiver can refuse replays older than the tolerance.
 */
import { secretEquals } from './secret-equal.ts'

/** How far a signed timestamp may be from the receiver's clock (either way). */
export const SIGNATURE_TOLERANCE_SECONDS = 300

const encoder = new TextEncoder()

/** Hex HMAC-SHA256 of `text` under `secret` (Web Crypto: the same code in workerd and Node). */
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

export async function signBody(secret: string, timestamp: number, body: string): Promise<string> {
  return `v1=${await hmacHex(secret, `${timestamp}.${body}`)}`
}

export interface SignedRequest {
  timestamp: string | null | undefined
  signature: string | null | undefined
  body: string
}

/** True when the signature is the secret's for this body and the timestamp is fresh (constant time). */
export async function verifySignature(
  request: SignedRequest,
  secret: string | null | undefined,
  nowMs: number,
): Promise<boolean> {
  if (!secret || !request.timestamp || !/^\d{1,12}$/.test(request.timestamp)) return false
  const timestamp = Number(request.timestamp)
  if (Math.abs(nowMs / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false
  return secretEquals(request.signature, await signBody(secret, timestamp, request.body))
}
