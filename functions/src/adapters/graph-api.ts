/**
 * @module
 * Meta's Graph API for one Cloud API number (the `GraphApi` port): messages, read receipts with the
 * typing indicator, number info, message templates and media downloads, at GRAPH_API_URL (Meta, or the double) and
 * the pinned GRAPH_API_VERSION. Error objects `{error: {code, message, error_data}}` become
 * `GraphApiError`s; a network failure or timeout is code 0.
 */
import { z } from 'zod'
import {
  type CloudChannel,
  type GraphApi,
  GraphApiError,
  type OutgoingMessage,
  type Template,
} from '../cloud-api/ports.ts'

export interface GraphApiOptions {
  baseUrl: string
  version: string
  fetch?: typeof fetch
  timeoutMs?: number
  /** A whole media download (up to 100 MB documents). */
  mediaTimeoutMs?: number
}

const errorBody = z.object({
  error: z.object({
    code: z.number(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string() }).partial().optional(),
  }),
})
const sendBody = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) })
const numberBody = z.object({
  display_phone_number: z.string(),
  verified_name: z.string(),
  quality_rating: z.string().default('UNKNOWN'),
})
const mediaBody = z.object({ url: z.url(), mime_type: z.string().min(1), file_size: z.number().optional() })
const templatesBody = z.object({
  data: z.array(
    z.object({
      name: z.string(),
      language: z.string(),
      status: z.string(),
      category: z.string().default(''),
      components: z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()).default([]),
    }),
  ),
})

function payload(message: OutgoingMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.to }
  if (message.kind === 'text')
    return { ...base, type: 'text', text: { body: message.body, preview_url: false } }
  if (message.kind === 'media') {
    // Meta refuses a caption on audio and stickers, and a filename on anything but documents.
    const { mediaType, link, caption, filename } = message
    const captioned = caption && ['image', 'video', 'document'].includes(mediaType) ? { caption } : {}
    const named = filename && mediaType === 'document' ? { filename } : {}
    return { ...base, type: mediaType, [mediaType]: { link, ...captioned, ...named } }
  }
  const { name, language, parameters } = message.template
  const components = parameters.length
    ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }]
    : []
  return { ...base, type: 'template', template: { name, language: { code: language }, components } }
}

export function graphApiFor(options: GraphApiOptions) {
  const doFetch = options.fetch ?? fetch
  return (channel: CloudChannel): GraphApi => {
    async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
      let response: Response
      try {
        response = await doFetch(`${options.baseUrl}/${options.version}/${path}`, {
          method,
          headers: { authorization: `Bearer ${channel.accessToken}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        })
      } catch (cause) {
        throw new GraphApiError(0, 'Graph API unreachable', 0, { cause })
      }
      const json: unknown = await response.json().catch(() => null)
      if (response.ok) return json
      const parsed = errorBody.safeParse(json)
      if (!parsed.success)
        throw new GraphApiError(0, `HTTP ${response.status} without an error object`, response.status)
      const { code, message, error_data } = parsed.data.error
      // Meta's message is "(#code) Title"; the title alone is what the desk shows.
      const title = message?.replace(/^\(#\d+\)\s*/, '') || error_data?.details || 'error'
      throw new GraphApiError(code, title, response.status)
    }
    return {
      async send(message) {
        const json = await call('POST', `${channel.phoneNumberId}/messages`, payload(message))
        const parsed = sendBody.safeParse(json)
        if (!parsed.success) throw new GraphApiError(0, 'Graph API answered without a message id', 200)
        return parsed.data.messages[0]?.id ?? ''
      },
      async markRead(waMessageId, typing) {
        await call('POST', `${channel.phoneNumberId}/messages`, {
          messaging_product: 'whatsapp',
          status: 'read',
          message_id: waMessageId,
          ...(typing ? { typing_indicator: { type: 'text' } } : {}),
        })
      },
      async numberInfo() {
        const json = await call(
          'GET',
          `${channel.phoneNumberId}?fields=display_phone_number,verified_name,quality_rating`,
        )
        const info = numberBody.parse(json)
        return {
          displayPhoneNumber: info.display_phone_number,
          verifiedName: info.verified_name,
          qualityRating: info.quality_rating,
        }
      },
      async templates() {
        const json = await call('GET', `${channel.wabaId}/message_templates?limit=100`)
        return templatesBody.parse(json).data.map(toTemplate)
      },
      // Two steps, as Meta documents: the media id gives a short-lived URL (5 minutes), which
      // answers the bytes only with the number's token. The body is handed on as a stream.
      async downloadMedia(mediaId) {
        const parsed = mediaBody.safeParse(await call('GET', encodeURIComponent(mediaId)))
        if (!parsed.success) throw new GraphApiError(0, 'Graph API answered a media id without a URL', 200)
        let response: Response
        try {
          response = await doFetch(parsed.data.url, {
            headers: { authorization: `Bearer ${channel.accessToken}` },
            signal: AbortSignal.timeout(options.mediaTimeoutMs ?? 300_000),
          })
        } catch (cause) {
          throw new GraphApiError(0, 'Media URL unreachable', 0, { cause })
        }
        if (!response.ok || !response.body)
          throw new GraphApiError(0, `Media URL answered HTTP ${response.status}`, response.status)
        return {
          body: response.body,
          mimetype: parsed.data.mime_type,
          size: parsed.data.file_size ?? null,
        }
      },
    }
  }
}

function toTemplate(t: z.infer<typeof templatesBody>['data'][number]): Template {
  const body = t.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? ''
  const parameterCount = new Set(body.match(/\{\{\d+\}\}/g) ?? []).size
  return { name: t.name, language: t.language, category: t.category, status: t.status, body, parameterCount }
}
