import { errors, jwtVerify, SignJWT } from 'jose'
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

/** Checks a signed URL's token for this object; Storage's errors for expired, tampered or foreign tokens. */
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
    if (error instanceof errors.JWTExpired) throw storageErrors.expiredToken()
    throw storageErrors.invalidJwt(
      error instanceof errors.JWSSignatureVerificationFailed ? 'invalid signature' : 'jwt malformed',
    )
  }
  if (payload.url !== `${bucket}/${name}` || (payload.scope !== undefined && payload.scope !== 'download')) {
    throw storageErrors.invalidSignature()
  }
}

/** `expiresIn` as Storage validates it: an integer of at least 1 second. */
export function parseExpiresIn(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw storageErrors.invalidRequest('body/expiresIn must be an integer >= 1')
  }
  return value
}
