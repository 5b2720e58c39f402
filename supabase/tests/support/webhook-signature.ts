import { createHmac } from 'node:crypto'
import { expect } from 'vitest'

/** The seed's webhook secret (in Vault); requests carry a signature made with it, never the secret. */
export const SEED_WEBHOOK_SECRET = 'local-webhook-secret'

/** Asserts the headers of a queued webhook: fresh timestamp, HMAC of `<timestamp>.<body>`, no secret. */
export function expectSignedWebhook(headers: Record<string, string>, body: string): void {
  const timestamp = headers['X-Relevo-Timestamp'] ?? ''
  expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300)
  const expected = createHmac('sha256', SEED_WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest('hex')
  expect(headers).toEqual({
    'Content-Type': 'application/json',
    'X-Relevo-Timestamp': timestamp,
    'X-Relevo-Signature': `v1=${expected}`,
  })
  expect(JSON.stringify(headers)).not.toContain(SEED_WEBHOOK_SECRET)
}
