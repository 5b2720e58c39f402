/**
 * Benchmark: what one Web Push alert costs the functions (ADR 097). Builds the request (RFC 8291
 * encryption with a fresh ECDH key, and the ES256 VAPID JWT) for a realistic alert payload, then
 * the same through HTTP to the loopback push service double, which checks and decrypts it.
 * Writes bench/results/web-push.json. Run: pnpm --filter @relevo/functions bench:web-push
 */
import os from 'node:os'
import { startPushServiceDouble } from '@relevo/testing/push-service-double'
import { buildPushRequest, generateVapidKeys } from '../src/push/web-push.ts'
import { writeResult } from './report.ts'

const N = 300
const keys = { ...(await generateVapidKeys()), subject: 'mailto:bench@relevo.test' }
const payload = JSON.stringify({
  title: 'María González',
  body: '¿Tienen la chamarra negra en talla M? La necesito para el viernes',
  url: '/inbox/6f1c1f0e-6a2b-4c55-9f0e-2b8f8f6a9d10',
  tag: 'relevo-6f1c1f0e-6a2b-4c55-9f0e-2b8f8f6a9d10-customer_message',
  kind: 'customer_message',
})
const service = await startPushServiceDouble()
const target = service.subscribe()
const subscription = { endpoint: target.endpoint, ...target.keys }
const options = { ttlSeconds: 3600, urgency: 'high' as const, nowMs: Date.now() }

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
async function measure(work: () => Promise<unknown>) {
  const samples: number[] = []
  for (let i = 0; i < N; i++) {
    const start = performance.now()
    await work()
    samples.push(performance.now() - start)
  }
  const sorted = samples.sort((a, b) => a - b)
  return { p50_ms: +percentile(sorted, 0.5).toFixed(3), p99_ms: +percentile(sorted, 0.99).toFixed(3) }
}

const build = await measure(() => buildPushRequest(subscription, payload, keys, options))
const request = await buildPushRequest(subscription, payload, keys, options)
const sendAndDecrypt = await measure(async () => {
  const r = await buildPushRequest(subscription, payload, keys, options)
  const response = await fetch(target.endpoint, { method: 'POST', headers: r.headers, body: r.body })
  if (response.status !== 201) throw new Error(`push service answered ${response.status}`)
})
await service.close()
const result = {
  when: new Date().toISOString(),
  node: process.version,
  load_average: os.loadavg().map((l) => +l.toFixed(2)),
  runs: N,
  payload_bytes: Buffer.byteLength(payload),
  body_bytes: request.body.length,
  build_request: build,
  build_send_and_decrypt_over_loopback: sendAndDecrypt,
}
await writeResult('web-push', result)
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
