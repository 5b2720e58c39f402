/**
 * @module
 * A Web Push request with WebCrypto only, so it runs in workerd (ADR 097): the payload encrypted for
 * one browser (RFC 8291, `aes128gcm` of RFC 8188) and the VAPID authorization (RFC 8292, an ES256
 * JWT). Written here rather than taken from npm because the WebCrypto libraries refuse `http:`
 * endpoints, which the local push endpoint double and private deployments use.
 */

/** What the browser's `PushSubscription.toJSON()` gives: the push service URL and two base64url keys. */
export interface PushTarget {
  endpoint: string
  /** The browser's P-256 public key, uncompressed (65 bytes). */
  p256dh: string
  /** The browser's 16-byte authentication secret. */
  auth: string
}

/** The deployment's VAPID key pair (base64url): the public point (65 bytes) and the private scalar (32). */
export interface VapidKeys {
  publicKey: string
  privateKey: string
  /** A mailto: or https: contact the push service may use (RFC 8292 `sub`). */
  subject: string
}

/** A WebCrypto key, named through the API: the Workers and Node type libraries declare it differently. */
type Key = Parameters<typeof crypto.subtle.exportKey>[1]
interface KeyPair {
  publicKey: Key
  privateKey: Key
}

export interface PushRequest {
  headers: Record<string, string>
  body: Uint8Array<ArrayBuffer>
}

const RECORD_SIZE = 4096
// RFC 8292: at most 24 hours; 12 leaves room for clock skew.
const JWT_SECONDS = 12 * 60 * 60
const encoder = new TextEncoder()
// Copied into an ArrayBuffer-backed array, which WebCrypto's BufferSource type asks for.
const utf8 = (value: string) => Uint8Array.from(encoder.encode(value))

export function fromBase64Url(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

async function hkdf(
  salt: Uint8Array<ArrayBuffer>,
  ikm: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  bytes: number,
) {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, bytes * 8)
  return new Uint8Array(bits)
}

/**
 * RFC 8291 §3.4: an ephemeral ECDH key with the browser's, mixed with its auth secret, gives the
 * content key and nonce; one record, `0x02` delimited, its header carrying the salt and our key.
 */
export async function encryptPayload(
  target: PushTarget,
  plaintext: Uint8Array<ArrayBuffer>,
  // Fresh for every message; given only by the RFC 8291 Appendix A test.
  salt: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(16)),
  sender?: KeyPair,
): Promise<Uint8Array<ArrayBuffer>> {
  const uaPublic = fromBase64Url(target.p256dh)
  const authSecret = fromBase64Url(target.auth)
  if (uaPublic.length !== 65 || authSecret.length !== 16) {
    throw new Error('p256dh must be 65 bytes and auth 16 bytes')
  }
  if (plaintext.length + 1 + 16 > RECORD_SIZE) throw new Error('push payload too large for one record')
  const browserKey = await crypto.subtle.importKey(
    'raw',
    uaPublic,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    [],
  )
  const ours =
    sender ??
    ((await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])) as KeyPair)
  const asPublic = new Uint8Array((await crypto.subtle.exportKey('raw', ours.publicKey)) as ArrayBuffer)
  // A variable, not a literal: the Workers types spell this member `$public`, the runtime reads `public`.
  const withPeer = { name: 'ECDH', public: browserKey }
  const shared = new Uint8Array(await crypto.subtle.deriveBits(withPeer, ours.privateKey, 256))
  const keyInfo = concat(utf8('WebPush: info\0'), uaPublic, asPublic)
  const ikm = await hkdf(authSecret, shared, keyInfo, 32)
  const cek = await hkdf(salt, ikm, utf8('Content-Encoding: aes128gcm\0'), 16)
  const nonce = await hkdf(salt, ikm, utf8('Content-Encoding: nonce\0'), 12)
  const aesKey = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['encrypt'])
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce },
    aesKey,
    concat(plaintext, Uint8Array.of(2)),
  )
  const header = new Uint8Array(16 + 4 + 1)
  header.set(salt)
  new DataView(header.buffer).setUint32(16, RECORD_SIZE)
  header[20] = asPublic.length
  return concat(header, asPublic, new Uint8Array(sealed))
}

/** RFC 8292: `vapid t=<ES256 JWT for the push service's origin>, k=<our public key>`. */
export async function vapidAuthorization(endpoint: string, keys: VapidKeys, nowMs: number): Promise<string> {
  const publicKey = fromBase64Url(keys.publicKey)
  const signingKey = await crypto.subtle.importKey(
    'jwk',
    {
      kty: 'EC',
      crv: 'P-256',
      d: keys.privateKey,
      x: toBase64Url(publicKey.slice(1, 33)),
      y: toBase64Url(publicKey.slice(33, 65)),
    },
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  )
  const part = (value: object) => toBase64Url(utf8(JSON.stringify(value)))
  const claims = {
    aud: new URL(endpoint).origin,
    exp: Math.floor(nowMs / 1000) + JWT_SECONDS,
    sub: keys.subject,
  }
  const unsigned = `${part({ typ: 'JWT', alg: 'ES256' })}.${part(claims)}`
  // WebCrypto's ECDSA signature is r‖s (64 bytes), which is what JWS ES256 wants.
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signingKey, utf8(unsigned))
  return `vapid t=${unsigned}.${toBase64Url(new Uint8Array(signature))}, k=${keys.publicKey}`
}

/** The POST a push service takes (RFC 8030 §5): encrypted body, TTL, urgency, VAPID. */
export async function buildPushRequest(
  target: PushTarget,
  payload: string,
  keys: VapidKeys,
  options: { ttlSeconds: number; urgency: 'very-low' | 'low' | 'normal' | 'high'; nowMs: number },
): Promise<PushRequest> {
  return {
    headers: {
      Authorization: await vapidAuthorization(target.endpoint, keys, options.nowMs),
      'Content-Encoding': 'aes128gcm',
      'Content-Type': 'application/octet-stream',
      TTL: String(options.ttlSeconds),
      Urgency: options.urgency,
    },
    body: await encryptPayload(target, utf8(payload)),
  }
}

/** A new VAPID key pair for a deployment (`pnpm --filter @relevo/functions vapid-keys`). */
export async function generateVapidKeys(): Promise<{ publicKey: string; privateKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
  ])) as KeyPair
  const raw = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer)
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as { d?: string }
  if (!jwk.d) throw new Error('WebCrypto exported no private scalar')
  return { publicKey: toBase64Url(raw), privateKey: jwk.d }
}
