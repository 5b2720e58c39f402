/**
 * How the `http` provider speaks to a coordinator that has its own contract (ADR 115): a JSON
 * body template with `{{placeholders}}`, extra headers, and dotted paths to the reply and to a
 * handoff flag and reason in the answer. One schema for the dashboard's form, the functions'
 * edges and the Worker; the column's CHECK (tenants.ai_http_mapping) holds the same shape.
 * Hand-written; imported as `@relevo/supabase/coordinator-mapping`.
 */
import { z } from 'zod'

/** What a body template may insert; `recent_messages_json` is a JSON array of the chat's messages. */
export const PLACEHOLDERS = [
  'message',
  'customer_phone',
  'customer_name',
  'conversation_id',
  'channel_id',
  'tenant_id',
  'tenant_name',
  'language',
  'trigger_message_id',
  'recent_messages_json',
] as const
export type Placeholder = (typeof PLACEHOLDERS)[number]
export type TemplateValues = Record<Placeholder, unknown>

/** Header values only: the tenant's coordinator header secret (Vault), never logged or shown. */
export const SECRET_PLACEHOLDER = 'secret'

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/y
const PLACEHOLDER_ANYWHERE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g
const PATH = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,9}$/
/** Relevo sets these itself: the body's type and length, the host, and its signature. */
const RESERVED_HEADERS = /^(host|content-type|content-length|x-relevo-.*)$/i

/** A chat as the Test sends it (and as a template is tried when it is saved). */
export const SAMPLE_VALUES: TemplateValues = {
  message: 'Hola, ¿tienen envío a Monterrey?\nEs para mañana',
  customer_phone: '5215512345678',
  customer_name: 'Ana "Sample" López',
  conversation_id: '00000000-0000-4000-8000-00000000c0de',
  channel_id: '00000000-0000-4000-8000-0000000c4a11',
  tenant_id: '00000000-0000-4000-8000-00000000e4a7',
  tenant_name: 'Demo Store',
  language: 'es',
  trigger_message_id: '00000000-0000-4000-8000-00000000a002',
  recent_messages_json: [
    {
      id: '00000000-0000-4000-8000-00000000a001',
      author: 'customer',
      body: 'Hola, ¿tienen envío a Monterrey?',
      created_at: '2026-12-05T10:00:00.000Z',
    },
    {
      id: '00000000-0000-4000-8000-00000000a002',
      author: 'customer',
      body: 'Es para mañana',
      created_at: '2026-12-05T10:00:05.000Z',
    },
  ],
}

/**
 * Fills a JSON template. A placeholder inside a JSON string is escaped as string content (null
 * becomes empty, an array its JSON text); outside a string it becomes a JSON value, so
 * `"messages": {{recent_messages_json}}` inserts an array and `{{customer_name}}` may be null.
 */
export function renderBody(template: string, values: TemplateValues): string {
  let out = ''
  let inString = false
  let escaped = false
  for (let i = 0; i < template.length; ) {
    PLACEHOLDER.lastIndex = i
    const match = PLACEHOLDER.exec(template)
    const name = match?.[1]
    if (match && name && isPlaceholder(name)) {
      out += inString ? stringContent(values[name]) : JSON.stringify(values[name] ?? null)
      i += match[0].length
      continue
    }
    const c = template.charAt(i)
    if (escaped) escaped = false
    else if (inString && c === '\\') escaped = true
    else if (c === '"') inString = !inString
    out += c
    i++
  }
  return out
}

function stringContent(value: unknown): string {
  const text = value == null ? '' : typeof value === 'string' ? value : JSON.stringify(value)
  return JSON.stringify(text).slice(1, -1)
}

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name)
}

/** A header value with `{{secret}}` replaced. */
export function renderHeader(value: string, secret: string): string {
  return value.replace(PLACEHOLDER_ANYWHERE, (whole, name: string) =>
    name === SECRET_PLACEHOLDER ? secret : whole,
  )
}

export function usesSecret(headers: Record<string, string>): boolean {
  return Object.values(headers).some((v) => placeholdersIn(v).includes(SECRET_PLACEHOLDER))
}

function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_ANYWHERE)].map((m) => m[1] ?? '')
}

/** The value at a dotted path (`data.answer`, `choices.0.text`), or undefined when a step is missing. */
export function readPath(data: unknown, path: string): unknown {
  let at: unknown = data
  for (const step of path.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, step)) return undefined
    at = (at as Record<string, unknown>)[step]
  }
  return at
}

const path = z.string().trim().regex(PATH, 'a dotted path such as data.reply (letters, digits, _ and -)')

export const coordinatorMapping = z
  .object({
    body: z.string().min(2).max(20_000),
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name (letters, digits and -)'),
        z
          .string()
          .max(2_000)
          .regex(/^[^\r\n]*$/, 'one line'),
      )
      .default({}),
    reply_path: path,
    handoff_path: path.nullish(),
    reason_path: path.nullish(),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const name of placeholdersIn(m.body)) {
      if (!isPlaceholder(name))
        ctx.addIssue({
          code: 'custom',
          path: ['body'],
          message: `{{${name}}} is not a placeholder; use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        })
    }
    try {
      JSON.parse(renderBody(m.body, SAMPLE_VALUES))
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `the body is not JSON once filled in: ${error instanceof Error ? error.message : error}`,
      })
    }
    for (const [name, value] of Object.entries(m.headers)) {
      if (RESERVED_HEADERS.test(name))
        ctx.addIssue({ code: 'custom', path: ['headers', name], message: `${name} is set by Relevo` })
      if (placeholdersIn(value).some((p) => p !== SECRET_PLACEHOLDER))
        ctx.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: 'a header value may only use {{secret}}',
        })
    }
    if (Object.keys(m.headers).length > 10)
      ctx.addIssue({ code: 'custom', path: ['headers'], message: 'at most 10 headers' })
  })
export type CoordinatorMapping = z.infer<typeof coordinatorMapping>

/**
 * Relevo's own v1 contract (functions/README.md) written as a mapping: what the provider uses
 * while the tenant has none. Add fields, never rename them (coordinators parse it).
 */
const relevoV1: CoordinatorMapping = {
  body: `{
  "version": 1,
  "tenant": { "id": "{{tenant_id}}", "name": "{{tenant_name}}", "language": "{{language}}" },
  "conversation": { "id": "{{conversation_id}}", "channel_id": "{{channel_id}}" },
  "customer": { "name": {{customer_name}}, "phone": {{customer_phone}} },
  "trigger_message_id": "{{trigger_message_id}}",
  "messages": {{recent_messages_json}}
}`,
  headers: {},
  reply_path: 'reply',
  handoff_path: 'handoff',
  reason_path: 'reason',
}

/** The simplest endpoint there is: `{message, phone}` in, `{reply}` out. */
const plain: CoordinatorMapping = {
  body: '{ "message": "{{message}}", "phone": "{{customer_phone}}" }',
  headers: {},
  reply_path: 'reply',
  handoff_path: null,
  reason_path: null,
}

export const MAPPING_PRESETS = { relevo_v1: relevoV1, plain } as const
export type MappingPreset = keyof typeof MAPPING_PRESETS
