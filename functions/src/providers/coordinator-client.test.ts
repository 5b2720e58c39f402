import {
  type CoordinatorMapping,
  coordinatorMapping,
  MAPPING_PRESETS,
  readPath,
  renderBody,
  SAMPLE_VALUES,
  type TemplateValues,
} from '@relevo/supabase/coordinator-mapping'
import { describe, expect, it } from 'vitest'
import type { AiContext } from '../pipeline/provider.ts'
import { signBody } from '../shared/signature.ts'
import { createCoordinatorClient, mappedDecision } from './coordinator-client.ts'
import { templateValues } from './http-provider.ts'

const values: TemplateValues = {
  ...SAMPLE_VALUES,
  message: 'Say "hi"\nand \\ then </script>',
  customer_name: null,
}

describe('body templates', () => {
  it('escapes a placeholder inside a JSON string and inserts JSON values outside one', () => {
    const body = renderBody(
      '{"text": "{{message}}", "who": "{{customer_name}}", "name": {{customer_name}}, "history": {{recent_messages_json}}, "quoted": "{{recent_messages_json}}"}',
      values,
    )
    const parsed = JSON.parse(body)
    expect(parsed.text).toBe('Say "hi"\nand \\ then </script>')
    expect(parsed.who).toBe('')
    expect(parsed.name).toBeNull()
    expect(parsed.history).toEqual(SAMPLE_VALUES.recent_messages_json)
    expect(JSON.parse(parsed.quoted)).toEqual(SAMPLE_VALUES.recent_messages_json)
  })

  it('tells string context by the quotes, escaped quotes and all', () => {
    const body = renderBody('{"a": "x\\"{{customer_phone}}\\"", "b": {{customer_phone}}}', SAMPLE_VALUES)
    expect(JSON.parse(body)).toEqual({
      a: `x"${SAMPLE_VALUES.customer_phone}"`,
      b: SAMPLE_VALUES.customer_phone,
    })
  })

  it('tolerates spaces inside braces and leaves unknown braces as they are', () => {
    expect(renderBody('{"t": "{{ tenant_name }} {{nope}}"}', SAMPLE_VALUES)).toBe(
      '{"t": "Demo Store {{nope}}"}',
    )
  })

  it('a customer message cannot break out of its string (no injected keys)', () => {
    const hostile = { ...SAMPLE_VALUES, message: '", "admin": true, "x": "' }
    const parsed = JSON.parse(renderBody(MAPPING_PRESETS.plain.body, hostile))
    expect(Object.keys(parsed)).toEqual(['message', 'phone'])
    expect(parsed.message).toBe('", "admin": true, "x": "')
  })
})

describe('mapping schema', () => {
  const base = { body: '{"m": "{{message}}"}', reply_path: 'reply' }

  it('accepts both presets', () => {
    expect(coordinatorMapping.safeParse(MAPPING_PRESETS.relevo_v1).success).toBe(true)
    expect(coordinatorMapping.safeParse(MAPPING_PRESETS.plain).success).toBe(true)
  })

  it.each([
    ['an unknown placeholder', { ...base, body: '{"m": "{{mesage}}"}' }, '{{mesage}} is not a placeholder'],
    ['{{secret}} in the body', { ...base, body: '{"k": "{{secret}}"}' }, '{{secret}} is not a placeholder'],
    [
      'a body that is not JSON once filled',
      { ...base, body: '{"m": {{message}} ' },
      'is not JSON once filled in',
    ],
    ['a reserved header', { ...base, headers: { 'X-Relevo-Signature': 'x' } }, 'is set by Relevo'],
    [
      'a placeholder other than {{secret}} in a header',
      { ...base, headers: { 'X-P': '{{customer_phone}}' } },
      'may only use {{secret}}',
    ],
    ['a path with brackets', { ...base, reply_path: 'data[0]' }, 'a dotted path'],
  ])('refuses %s', (_, mapping, message) => {
    const parsed = coordinatorMapping.safeParse(mapping)
    expect(parsed.success).toBe(false)
    expect(JSON.stringify(parsed.error?.issues)).toContain(message)
  })
})

describe('answers read at the paths', () => {
  const mapping: CoordinatorMapping = {
    body: '{}',
    headers: {},
    reply_path: 'data.answer',
    handoff_path: 'data.escalate',
    reason_path: 'data.why',
  }

  it('reads dotted paths, array indexes included, and nothing past a missing step', () => {
    const answer = { data: { answer: 'ok', list: ['a', { b: 2 }] } }
    expect(readPath(answer, 'data.answer')).toBe('ok')
    expect(readPath(answer, 'data.list.1.b')).toBe(2)
    expect(readPath(answer, 'data.missing.deeper')).toBeUndefined()
    expect(readPath(answer, 'data.answer.length')).toBeUndefined()
  })

  it('a true handoff flag wins, with its reason', () => {
    expect(mappedDecision({ data: { answer: 'x', escalate: true, why: 'refund' } }, mapping)).toEqual({
      kind: 'handoff',
      reason: 'http: refund',
    })
    expect(mappedDecision({ data: { escalate: 'true' } }, mapping)).toEqual({
      kind: 'handoff',
      reason: 'http: coordinator asked for a human',
    })
  })

  it('otherwise the reply, trimmed', () => {
    expect(mappedDecision({ data: { answer: '  Sí, enviamos  ', escalate: false } }, mapping)).toEqual({
      kind: 'reply',
      text: 'Sí, enviamos',
    })
  })

  it('names the missing path and the keys that came back, never the answer itself', () => {
    let error: unknown
    try {
      mappedDecision({ result: { text: 'private words' } }, mapping)
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({
      code: 'provider_bad_answer',
      message: 'HTTP provider answer: nothing is at "data.answer" and "data.escalate" is not true',
      hint: expect.stringContaining('top-level keys: result'),
    })
    expect(JSON.stringify(error)).not.toContain('private words')
  })
})

describe('the v1 preset is the v1 contract', () => {
  it('renders exactly the documented body from a chat', () => {
    const context: AiContext = {
      tenant: { id: 't1', name: 'Demo "Store"', language: 'es', systemPrompt: 'x' },
      conversation: { id: 'c1', channelId: 'ch1' },
      customer: { name: null, phone: '5215512345678' },
      messages: [
        { id: 'm0', author: 'ai', body: 'Hola', createdAt: '2026-11-25T11:59:00Z' },
        { id: 'm1', author: 'customer', body: 'quiero\n"2"', createdAt: '2026-11-25T12:00:00Z' },
      ],
      triggerMessageId: 'm1',
      storeFacts: [],
    }
    expect(JSON.parse(renderBody(MAPPING_PRESETS.relevo_v1.body, templateValues(context)))).toEqual({
      version: 1,
      tenant: { id: 't1', name: 'Demo "Store"', language: 'es' },
      conversation: { id: 'c1', channel_id: 'ch1' },
      customer: { name: null, phone: '5215512345678' },
      trigger_message_id: 'm1',
      messages: [
        { id: 'm0', author: 'ai', body: 'Hola', created_at: '2026-11-25T11:59:00Z' },
        { id: 'm1', author: 'customer', body: 'quiero\n"2"', created_at: '2026-11-25T12:00:00Z' },
      ],
    })
    expect(templateValues(context).message).toBe('quiero\n"2"')
  })
})

describe('coordinator client', () => {
  const custom: CoordinatorMapping = {
    body: '{"input": {"text": "{{message}}", "phone": "{{customer_phone}}"}}',
    headers: { Authorization: 'Bearer {{secret}}', 'X-Store': 'demo' },
    reply_path: 'data.answer',
    handoff_path: 'data.escalate',
    reason_path: 'data.why',
  }
  const received: Request[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    received.push(request.clone())
    return Response.json({ data: { answer: 'Claro', escalate: false } })
  }
  const base = { url: 'http://127.0.0.1:9/coord', allowPrivate: true, timeoutMs: 1000, fetch }

  it('sends the filled template with the header secret and the signature, and maps the answer', async () => {
    received.length = 0
    const client = createCoordinatorClient({
      ...base,
      mapping: custom,
      secret: 'sign-me',
      headerSecret: 'tok-1',
    })
    expect(await client.decide(SAMPLE_VALUES)).toEqual({ kind: 'reply', text: 'Claro' })
    const request = received[0] as Request
    expect(request.headers.get('authorization')).toBe('Bearer tok-1')
    expect(request.headers.get('x-store')).toBe('demo')
    const raw = await request.text()
    expect(JSON.parse(raw)).toEqual({
      input: { text: SAMPLE_VALUES.message, phone: SAMPLE_VALUES.customer_phone },
    })
    const timestamp = Number(request.headers.get('x-relevo-timestamp'))
    expect(request.headers.get('x-relevo-signature')).toBe(await signBody('sign-me', timestamp, raw))
  })

  it('refuses to call when a header needs a secret that is not saved', async () => {
    received.length = 0
    const client = createCoordinatorClient({ ...base, mapping: custom, secret: null, headerSecret: null })
    await expect(client.decide(SAMPLE_VALUES)).rejects.toMatchObject({
      code: 'provider_header_secret_missing',
    })
    expect(received).toEqual([])
  })

  it('sends no signature without a signing secret', async () => {
    received.length = 0
    const client = createCoordinatorClient({
      ...base,
      mapping: MAPPING_PRESETS.plain,
      secret: null,
      headerSecret: null,
    })
    await expect(client.decide(SAMPLE_VALUES)).rejects.toMatchObject({ code: 'provider_bad_answer' })
    expect(received[0]?.headers.has('x-relevo-signature')).toBe(false)
  })
})
