import { describe, expect, it } from 'vitest'
import {
  encryptPayload,
  fromBase64Url,
  generateVapidKeys,
  toBase64Url,
  vapidAuthorization,
} from './web-push.ts'

// Runs inside workerd: the module must work with the Workers runtime's WebCrypto alone. The
// decryption by an independent implementation (node:crypto) is in integration/web-push.int.test.ts.

// RFC 8291 Appendix A: the keys, salt and secret of the example, and the message it encrypts to.
const RFC = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPublic: 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  encrypted:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
}

async function rfcSender(): Promise<Parameters<typeof encryptPayload>[3]> {
  const point = fromBase64Url(RFC.asPublic)
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: toBase64Url(point.slice(1, 33)),
    y: toBase64Url(point.slice(33)),
  }
  const algorithm = { name: 'ECDH', namedCurve: 'P-256' }
  return {
    publicKey: await crypto.subtle.importKey('jwk', jwk, algorithm, true, []),
    privateKey: await crypto.subtle.importKey('jwk', { ...jwk, d: RFC.asPrivate }, algorithm, true, [
      'deriveBits',
    ]),
  }
}

describe('Web Push with WebCrypto (RFC 8291, RFC 8292)', () => {
  it('encrypts the RFC 8291 example to the exact bytes of Appendix A', async () => {
    const body = await encryptPayload(
      { endpoint: 'https://push.example.net/x', p256dh: RFC.uaPublic, auth: RFC.auth },
      Uint8Array.from(new TextEncoder().encode(RFC.plaintext)),
      fromBase64Url(RFC.salt),
      await rfcSender(),
    )
    expect(toBase64Url(body)).toBe(RFC.encrypted)
  })

  it('refuses keys of the wrong size', async () => {
    await expect(
      encryptPayload({ endpoint: 'https://p.test/x', p256dh: 'AAAA', auth: RFC.auth }, new Uint8Array(1)),
    ).rejects.toThrow(/65 bytes/)
  })

  it('signs a VAPID JWT for the push service origin that verifies with the public key', async () => {
    const keys = { ...(await generateVapidKeys()), subject: 'mailto:ops@shop.example' }
    expect(keys.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/)
    expect(keys.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const now = Date.UTC(2026, 11, 5, 12)
    const header = await vapidAuthorization('https://fcm.googleapis.com/fcm/send/abc', keys, now)
    const [, jwt = '', k] = /^vapid t=(\S+), k=(\S+)$/.exec(header) ?? []
    expect(k).toBe(keys.publicKey)
    const [head = '', claims = '', signature = ''] = jwt.split('.')
    const decode = (part: string) => JSON.parse(new TextDecoder().decode(fromBase64Url(part)))
    expect(decode(head)).toEqual({ typ: 'JWT', alg: 'ES256' })
    expect(decode(claims)).toEqual({
      aud: 'https://fcm.googleapis.com',
      exp: now / 1000 + 12 * 3600,
      sub: 'mailto:ops@shop.example',
    })
    const verifier = await crypto.subtle.importKey(
      'raw',
      fromBase64Url(keys.publicKey),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    )
    const ok = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      verifier,
      fromBase64Url(signature),
      new TextEncoder().encode(`${head}.${claims}`),
    )
    expect(ok).toBe(true)
  })
})
