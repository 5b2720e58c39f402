/**
 * @module
 * Meta's WhatsApp Cloud API wire formats, as the Graph API double sends them and tests build them:
 * the `messages` webhook (entry[].changes[].value with metadata, contacts, messages, statuses),
 * its X-Hub-Signature-256 header, and Graph API error objects. Shapes follow Meta's webhook and
 * error-code references (developers.facebook.com/documentation/business-messaging/whatsapp).
 */
import { randomBytes } from 'node:crypto'

export interface NumberMetadata {
  wabaId: string
  phoneNumberId: string
  displayPhoneNumber: string
}

/** What one `messages` change may carry; Meta sends messages and statuses on the same field. */
export interface WebhookValue {
  contacts?: Array<{ profile: { name: string }; wa_id: string }>
  messages?: Array<Record<string, unknown>>
  statuses?: Array<Record<string, unknown>>
}

/** A `wamid.` id in Meta's format (base64 of an opaque blob). */
export const newWamid = () => `wamid.HBgL${randomBytes(30).toString('base64')}`

/** Unix seconds as a string, as in every Cloud API webhook. */
export const unixSeconds = (at = Date.now()) => String(Math.floor(at / 1000))

export function messagesWebhook(number: NumberMetadata, value: WebhookValue) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: number.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: number.displayPhoneNumber,
                phone_number_id: number.phoneNumberId,
              },
              ...value,
            },
          },
        ],
      },
    ],
  }
}

/** A customer's message item of `value.messages[]`: `{from, id, timestamp, type, <type>: {...}}`. */
export function inboundMessage(from: string, type: string, content: unknown, id = newWamid()) {
  return { from, id, timestamp: unixSeconds(), type, [type]: content }
}

/** A `value.statuses[]` item; `failed` carries Meta's error (code, title, details). */
export function statusItem(
  id: string,
  recipient: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  error?: { code: number; title: string; details?: string },
) {
  return {
    id,
    status,
    timestamp: unixSeconds(),
    recipient_id: recipient,
    ...(status === 'failed'
      ? {
          errors: [
            {
              code: error?.code ?? 131026,
              title: error?.title ?? 'Message undeliverable',
              message: error?.title ?? 'Message undeliverable',
              error_data: { details: error?.details ?? error?.title ?? 'Message undeliverable' },
            },
          ],
        }
      : {
          pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
        }),
  }
}

/** `sha256=<hex HMAC-SHA256 of the raw body keyed with the app secret>` (X-Hub-Signature-256). */
export async function hubSignature(rawBody: string, appSecret: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(appSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(rawBody)))
  return `sha256=${Buffer.from(mac).toString('hex')}`
}

/** Titles and HTTP statuses of the Graph API errors the double can answer with. */
export const META_ERRORS: Record<number, { title: string; details: string; status: number; type: string }> = {
  190: {
    title: 'Access token has expired',
    details: 'Error validating access token',
    status: 401,
    type: 'OAuthException',
  },
  130429: {
    title: 'Rate limit hit',
    details:
      'Message failed to send because there were too many messages sent from this phone number in a short period of time',
    status: 400,
    type: 'OAuthException',
  },
  131026: {
    title: 'Message undeliverable',
    details:
      'Unable to deliver message. The recipient may not be on WhatsApp or may have blocked the business',
    status: 400,
    type: 'OAuthException',
  },
  131047: {
    title: 'Re-engagement message',
    details: 'More than 24 hours have passed since the recipient last replied to the sender number',
    status: 400,
    type: 'OAuthException',
  },
  100: {
    title: 'Invalid parameter',
    details: 'The request included an unsupported or misspelled parameter',
    status: 400,
    type: 'OAuthException',
  },
}

/** A Graph API error response: `{error: {message, type, code, error_data, fbtrace_id}}`. */
export function graphError(code: keyof typeof META_ERRORS | number, details?: string): Response {
  const known = META_ERRORS[code] ?? {
    title: 'Unknown error',
    details: '',
    status: 400,
    type: 'OAuthException',
  }
  const body = {
    error: {
      message: `(#${code}) ${known.title}`,
      type: known.type,
      code,
      error_data: { messaging_product: 'whatsapp', details: details ?? known.details },
      fbtrace_id: `A${randomBytes(12).toString('base64url')}`,
    },
  }
  return Response.json(body, { status: known.status })
}
