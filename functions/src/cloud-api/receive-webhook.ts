/**
 * @module
 * POST /webhooks/whatsapp's flow: check the signature, route each number's changes to its channel,
 * store messages (ingest_messages, idempotent on the wamid) and statuses (acks, delivery failures),
 * and name the channels whose files the sender must fetch (fetch-media.ts).
 *
 * Nothing is stored unless every routed number's app secret verifies the signature over the raw
 * body. The work is one ingest request and one request per status, so it runs inside the webhook
 * request (ADR 120): Meta retries a webhook that did not get a 200, and a retry is harmless.
 */
import type { CloudChannel, CloudIngest, CloudStore } from './ports.ts'
import { signatureBytes, verifyHubSignature } from './signature.ts'
import { readWebhook, webhookPayload } from './webhook-payload.ts'

export type ReceiveResult =
  | { outcome: 'unauthorized'; reason: 'missing_signature' | 'bad_signature' | 'not_json' }
  | { outcome: 'ignored'; reason: 'not_whatsapp' | 'unknown_numbers'; unknownNumbers: string[] }
  | {
      outcome: 'stored'
      messages: number
      created: number
      statuses: number
      unknownNumbers: string[]
      /** Channels that got a file (new or re-delivered): their sender downloads it into Storage. */
      mediaChannels: string[]
    }

/** ingest_messages takes at most 50 per request. */
const INGEST_CHUNK = 50
const FILE_TYPES: ReadonlySet<CloudIngest['type']> = new Set([
  'image',
  'audio',
  'video',
  'document',
  'sticker',
])

export async function receiveWebhook(
  raw: ArrayBuffer,
  signatureHeader: string | null | undefined,
  store: CloudStore,
): Promise<ReceiveResult> {
  const signature = signatureBytes(signatureHeader)
  if (!signature) return { outcome: 'unauthorized', reason: 'missing_signature' }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(raw))
  } catch {
    return { outcome: 'unauthorized', reason: 'not_json' }
  }
  const parsed = webhookPayload.safeParse(json)
  if (!parsed.success) return { outcome: 'ignored', reason: 'not_whatsapp', unknownNumbers: [] }
  const batches = readWebhook(parsed.data)
  const channels = new Map<string, CloudChannel>()
  const unknownNumbers: string[] = []
  for (const number of batches.keys()) {
    const channel = await store.channelForNumber(number)
    if (channel) channels.set(number, channel)
    else unknownNumbers.push(number)
  }
  if (channels.size === 0) return { outcome: 'ignored', reason: 'unknown_numbers', unknownNumbers }
  const secrets = new Set([...channels.values()].map((c) => c.appSecret))
  for (const secret of secrets) {
    if (!(await verifyHubSignature(raw, signature, secret)))
      return { outcome: 'unauthorized', reason: 'bad_signature' }
  }

  const messages: CloudIngest[] = []
  let statuses = 0
  for (const [number, channel] of channels) {
    for (const m of batches.get(number)?.messages ?? []) messages.push({ ...m, channelId: channel.channelId })
  }
  let created = 0
  for (let i = 0; i < messages.length; i += INGEST_CHUNK) {
    created += await store.ingest(messages.slice(i, i + INGEST_CHUNK))
  }
  // After the messages: a status can only move a message Relevo already knows.
  for (const [number, channel] of channels) {
    for (const s of batches.get(number)?.statuses ?? []) {
      await store.recordStatus({ ...s, channelId: channel.channelId })
      statuses += 1
    }
  }
  const mediaChannels = [...new Set(messages.filter((m) => FILE_TYPES.has(m.type)).map((m) => m.channelId))]
  return { outcome: 'stored', messages: messages.length, created, statuses, unknownNumbers, mediaChannels }
}
