/**
 * @module
 * A push service (RFC 8030) on loopback, for tests of Web Push alerts (ADR 097). It makes browser-like
 * subscriptions (a P-256 key pair and a 16-byte auth secret, as `PushSubscription.toJSON()` gives),
 * and for every POST to one of them it checks what a real push service and browser check: TTL,
 * `Content-Encoding: aes128gcm`, the VAPID JWT (ES256, signed by the `k=` key, `aud` = this origin,
 * `exp` within 24 h, a `sub`), then decrypts the body with the subscriber's private key (RFC 8291).
 * Written with node:crypto's ECDH, HKDF and AES-GCM on purpose: the functions use WebCrypto, so a
 * mistake in one cannot be cancelled by the same mistake in the other.
 */
import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  verify,
} from 'node:crypto'
import { type Served, serve } from './serve.ts'

export interface SubscriptionJson {
  endpoint: string
  expirationTime: null
  keys: { p256dh: string; auth: string }
}

export interface ReceivedPush {
  subscription: string
  status: number
  /** Why the double refused it (status 400/401/403), else null. */
  problem: string | null
  /** The decrypted payload (UTF-8), when it could be decrypted. */
  payload: string | null
  headers: { ttl: string | null; urgency: string | null }
  claims: { aud?: string; exp?: number; sub?: string } | null
}

export interface PushServiceDouble extends Served {
  readonly received: ReceivedPush[]
  /** A new browser subscription at this push service. */
  subscribe(): SubscriptionJson
  /** The browser unsubscribed: its endpoint answers 410 Gone from now on. */
  expire(endpoint: string): void
  /**
   * The next POSTs to this endpoint get these answers, one each and in order, before any check
   * (a busy service: 429 with `Retry-After`, 503; or a refusal: 400, 413); then it works again.
   */
  answerNext(endpoint: string, answers: ScriptedAnswer[]): void
}

export interface ScriptedAnswer {
  status: number
  /** The `Retry-After` header: delay-seconds or an HTTP-date. */
  retryAfter?: string
}

const b64u = (bytes: Buffer) => bytes.toString('base64url')

interface Subscriber {
  ecdh: ReturnType<typeof createECDH>
  auth: Buffer
}

/** RFC 8291 §3.4 from the receiving side (RFC 8188 record: salt ‖ rs ‖ idlen ‖ keyid ‖ ciphertext). */
export function decryptAes128gcm(body: Buffer, subscriber: Subscriber): string {
  const salt = body.subarray(0, 16)
  const idlen = body[20] ?? 0
  const senderPublic = body.subarray(21, 21 + idlen)
  const sealed = body.subarray(21 + idlen)
  const uaPublic = subscriber.ecdh.getPublicKey()
  const shared = subscriber.ecdh.computeSecret(senderPublic)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, senderPublic])
  const ikm = Buffer.from(hkdfSync('sha256', shared, subscriber.auth, keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  const padded = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()])
  // The last record ends with 0x02 then zero padding.
  const end = padded.lastIndexOf(2)
  if (end < 0 || padded.subarray(end + 1).some((b) => b !== 0)) throw new Error('bad record padding')
  return padded.subarray(0, end).toString('utf8')
}

/** RFC 8292: `vapid t=<jwt>, k=<key>`; the JWT's ES256 signature checked with node:crypto. */
export function checkVapid(header: string | null, origin: string, nowSeconds: number) {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '')
  if (!match?.[1] || !match[2]) return { problem: 'Authorization is not "vapid t=…, k=…"', claims: null }
  const [head, body, signature] = match[1].split('.') as [string, string, string]
  const key = Buffer.from(match[2], 'base64url')
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64u(key.subarray(1, 33)), y: b64u(key.subarray(33, 65)) },
    format: 'jwk',
  })
  const valid = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as ReceivedPush['claims'] & object
  const alg = (JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string }).alg
  if (!valid || alg !== 'ES256') return { problem: 'VAPID signature does not verify', claims }
  if (claims.aud !== origin) return { problem: `aud ${claims.aud} is not ${origin}`, claims }
  if (!claims.exp || claims.exp <= nowSeconds || claims.exp > nowSeconds + 24 * 3600) {
    return { problem: 'exp must be within the next 24 hours', claims }
  }
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) return { problem: 'sub must be mailto: or https:', claims }
  return { problem: null, claims }
}

/** A VAPID key pair as a deployment sets it (base64url public point and private scalar), made with node:crypto. */
export function vapidKeyPair(): { publicKey: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = privateKey.export({ format: 'jwk' })
  const point = Buffer.concat([
    Buffer.of(4),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ])
  return { publicKey: b64u(point), privateKey: jwk.d ?? '' }
}

export async function startPushServiceDouble(): Promise<PushServiceDouble> {
  const subscribers = new Map<string, Subscriber>()
  const expired = new Set<string>()
  const scripted = new Map<string, ScriptedAnswer[]>()
  const received: ReceivedPush[] = []
  let origin = ''
  const served = await serve(async (request) => {
    const id = new URL(request.url).pathname.replace(/^\/push\//, '')
    const subscriber = subscribers.get(id)
    const body = Buffer.from(await request.arrayBuffer())
    const record = (
      status: number,
      problem: string | null,
      payload: string | null,
      claims: ReceivedPush['claims'],
      headers: Record<string, string> = {},
    ) => {
      received.push({
        subscription: id,
        status,
        problem,
        payload,
        headers: { ttl: request.headers.get('ttl'), urgency: request.headers.get('urgency') },
        claims,
      })
      return new Response(problem, { status, headers })
    }
    const next = scripted.get(id)?.shift()
    if (next) {
      const headers: Record<string, string> = next.retryAfter ? { 'retry-after': next.retryAfter } : {}
      return record(next.status, `scripted ${next.status}`, null, null, headers)
    }
    if (!subscriber) return record(404, 'no such subscription', null, null)
    if (expired.has(id)) return record(410, 'subscription expired', null, null)
    if (!request.headers.get('ttl')) return record(400, 'TTL header required', null, null)
    if (request.headers.get('content-encoding') !== 'aes128gcm')
      return record(400, 'not aes128gcm', null, null)
    const vapid = checkVapid(request.headers.get('authorization'), origin, Math.floor(Date.now() / 1000))
    if (vapid.problem) return record(403, vapid.problem, null, vapid.claims)
    try {
      return record(201, null, decryptAes128gcm(body, subscriber), vapid.claims)
    } catch (error) {
      return record(400, `cannot decrypt: ${String(error)}`, null, vapid.claims)
    }
  })
  origin = new URL(served.url).origin
  return {
    ...served,
    received,
    subscribe() {
      const id = b64u(randomBytes(12))
      const ecdh = createECDH('prime256v1')
      ecdh.generateKeys()
      const auth = randomBytes(16)
      subscribers.set(id, { ecdh, auth })
      return {
        endpoint: `${served.url}/push/${id}`,
        expirationTime: null,
        keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) },
      }
    },
    expire(endpoint) {
      expired.add(endpoint.slice(endpoint.lastIndexOf('/') + 1))
    },
    answerNext(endpoint, answers) {
      scripted.set(endpoint.slice(endpoint.lastIndexOf('/') + 1), [...answers])
    },
  }
}
