import { describe, expect, it } from 'vitest'
import { GraphApiError } from './ports.ts'
import { sendOutcome } from './send-outcome.ts'
import { signatureBytes, verifyHubSignature } from './signature.ts'
import { readWebhook, webhookPayload } from './webhook-payload.ts'

// Meta's payload as in the webhook reference: two numbers of one app, messages and statuses.
const payload = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            contacts: [{ profile: { name: 'Sheena' }, wa_id: '16505551234' }],
            messages: [
              {
                from: '16505551234',
                id: 'wamid.A',
                timestamp: '1749416383',
                type: 'text',
                text: { body: 'Hi' },
              },
              {
                from: '16505551234',
                id: 'wamid.B',
                timestamp: '1749416384',
                type: 'interactive',
                interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Sí' } },
              },
              {
                from: '16505551234',
                id: 'wamid.C',
                timestamp: '1749416385',
                type: 'contacts',
                contacts: [
                  { name: { formatted_name: 'Ana López' }, phones: [{ phone: '+52 55 1234 5678' }] },
                ],
              },
              {
                from: '16505551234',
                id: 'wamid.D',
                timestamp: '1749416386',
                type: 'audio',
                audio: { id: 'm1', mime_type: 'audio/ogg', voice: true },
              },
            ],
          },
        },
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550000002', phone_number_id: '222' },
            statuses: [
              { id: 'wamid.X', status: 'delivered', timestamp: '1', recipient_id: '1' },
              {
                id: 'wamid.Y',
                status: 'failed',
                timestamp: '1',
                recipient_id: '1',
                errors: [{ code: 131047, title: 'Re-engagement message' }],
              },
              { id: 'wamid.Z', status: 'played', timestamp: '1', recipient_id: '1' },
            ],
          },
        },
      ],
    },
  ],
}

describe("Meta's messages webhook", () => {
  it('groups by phone number id and maps every kind of message and status', () => {
    const batches = readWebhook(webhookPayload.parse(payload))
    const first = batches.get('106540352242922')
    expect(first?.messages.map((m) => [m.waMessageId, m.type, m.body, m.customerName])).toEqual([
      ['wamid.A', 'text', 'Hi', 'Sheena'],
      ['wamid.B', 'text', 'Sí', 'Sheena'],
      ['wamid.C', 'text', 'Ana López +52 55 1234 5678', 'Sheena'],
      ['wamid.D', 'audio', '', 'Sheena'],
    ])
    expect(first?.messages[3]?.media).toMatchObject({ waType: 'voice', mediaId: 'm1', mimetype: 'audio/ogg' })
    expect(first?.messages[0]?.sentAt).toBe('2025-06-08T20:59:43.000Z')
    expect(batches.get('222')?.statuses).toEqual([
      { waMessageId: 'wamid.X', status: 'delivered' },
      { waMessageId: 'wamid.Y', status: 'failed', error: '131047: Re-engagement message' },
    ])
  })

  it('verifies X-Hub-Signature-256 over the raw bytes only', async () => {
    const raw = new TextEncoder().encode('{"object":"whatsapp_business_account","entry":[]}')
      .buffer as ArrayBuffer
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode('s3cret'),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    )
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, raw))
    const header = `sha256=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`
    const signature = signatureBytes(header)
    expect(signature).not.toBeNull()
    expect(await verifyHubSignature(raw, signature as Uint8Array<ArrayBuffer>, 's3cret')).toBe(true)
    expect(await verifyHubSignature(raw, signature as Uint8Array<ArrayBuffer>, 'other')).toBe(false)
    expect(signatureBytes('sha1=abc')).toBeNull()
    expect(signatureBytes(undefined)).toBeNull()
  })

  it("maps Meta's error codes to retry, failed or channel error", () => {
    const outcome = (code: number, status = 400) => sendOutcome(new GraphApiError(code, 'title', status)).kind
    expect([
      outcome(130429),
      outcome(131047),
      outcome(131026),
      outcome(190, 401),
      outcome(0, 0),
      outcome(1, 500),
      outcome(100),
    ]).toEqual(['retry', 'failed', 'failed', 'channel_error', 'retry', 'retry', 'failed'])
  })
})
