/**
 * @module
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw request
 * body keyed with the Meta app's secret. Checked over the exact bytes received (never re-serialized
 * JSON: Meta signs its own escaping, e.g. `\u00e9`), with WebCrypto's verify, which compares in
 * constant time.
 */

/** The 32 signature bytes of the header, or null when it is missing or malformed. */
export function signatureBytes(header: string | null | undefined): Uint8Array<ArrayBuffer> | null {
  const hex = header?.trim().match(/^sha256=([0-9a-fA-F]{64})$/)?.[1]
  if (!hex) return null
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

export async function verifyHubSignature(
  raw: ArrayBuffer,
  signature: Uint8Array<ArrayBuffer>,
  appSecret: string,
): Promise<boolean> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(appSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  )
  return crypto.subtle.verify('HMAC', key, signature, raw)
}
