import { jwtVerify, SignJWT } from 'jose'
import { storageErrors } from './errors.ts'

/**
 * Signed download URLs as Supabase Storage makes them: the token is an HS256 JWT signed with the
 * project's JWT secret, `{url: "<bucket>/<name>", scope: "download", iat, exp}`, and the URL path
 * is returned unescaped (storage-js escapes it with encodeURI).
 */
export async function signObjectUrl(
  secret: string,
  bucket: string,
  name: string,
  expiresIn: number,
): Promise<string> {
  const token = await new SignJWT({ url: `${bucket}/${name}`, scope: 'download' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(new TextEncoder().encode(secret))
  return `/object/sign/${bucket}/${name}?token=${token}`
}

/**
 * Checks a signed URL's token for this object as Storage 1.70 does: a token jose refuses (bad
 * signature, malformed, expired) is InvalidJWT with jose's message; a token for another scope or
 * object is InvalidSignature.
 */
export async function verifyObjectToken(
  secret: string,
  token: string,
  bucket: string,
  name: string,
): Promise<void> {
  let payload: Record<string, unknown>
  try {
    ;({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] }))
  } catch (error) {
    throw storageErrors.invalidJwt(error instanceof Error ? error.message : 'Invalid JWT')
  }
  // Tokens from before scopes (and without `upsert`, which marks upload tokens) count as downloads.
  if (payload.scope !== 'download' && (payload.scope !== undefined || 'upsert' in payload)) {
    throw storageErrors.invalidSignature('Token is not scoped for download')
  }
  if (payload.url !== `${bucket}/${name}`) throw storageErrors.invalidSignature()
}

/** `expiresIn` as Storage validates it: an integer of at least 1 second. */
export function parseExpiresIn(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw storageErrors.invalidRequest('body/expiresIn must be an integer >= 1')
  }
  return value
}
