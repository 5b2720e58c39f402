/**
 * @module
 * Constant-time comparison of shared secrets (webhook secret, ops token). Both sides are hashed
 * first so that neither the content nor the length leaks through timing.
 */

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
}

export async function secretEquals(
  given: string | null | undefined,
  expected: string | null | undefined,
): Promise<boolean> {
  if (!given || !expected) return false
  const [a, b] = await Promise.all([digest(given), digest(expected)])
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return diff === 0
}
