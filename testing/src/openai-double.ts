/**
 * @module
 * A scripted OpenAI-compatible server as a fetch function: it answers POST /v1/chat/completions
 * in the Chat Completions wire format (id, object, choices[].message.tool_calls, finish_reason,
 * usage), checks the bearer key, and can fail (HTTP errors) or hang until the client aborts.
 * POST /v1/audio/transcriptions takes the multipart form (file, model) like OpenAI's, records the
 * file's bytes and answers `{text, usage}` from its own script.
 * The same handler is served over node:http (`serve.ts`) for the Node tests and the benchmark.
 */

/** A part of a user message's content: text or an image input (`image_url.url`: https or a data URL). */
export type WireContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }

export interface WireMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool'
  content: string | null | WireContentPart[]
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[]
  tool_call_id?: string
}

export interface WireRequest {
  model: string
  messages: WireMessage[]
  tools?: { type: 'function'; function: { name: string; description?: string; parameters: unknown } }[]
  tool_choice?: string
}

/** The customer's turns as the model got them: without the WhatsApp profile message (data, not a turn). */
export function customerTurns(request: WireRequest | undefined): unknown[] | undefined {
  return request?.messages
    .filter((m) => m.role === 'user' && !String(m.content).startsWith('WhatsApp profile'))
    .map((m) => m.content)
}

export type DoubleTurn =
  /** `promptTokens`: the usage to report (else estimated from the request's size). */
  | { content: string; promptTokens?: number }
  | { toolCalls: { name: string; arguments: Record<string, unknown> }[] }
  | { status: number; message: string }
  | { hang: true }

/** A turn, or a function computing it (it may act first, e.g. take over while the model "thinks"). */
export type ScriptStep = DoubleTurn | ((request: WireRequest) => DoubleTurn | Promise<DoubleTurn>)

/** A transcription's answer: the text, or an HTTP error like OpenAI's. */
export type TranscriptionStep = { text: string } | { status: number; message: string }

/** One multipart request to /audio/transcriptions as the double received it. */
export interface TranscriptionRequest {
  model: string
  filename: string
  /** The file part's Content-Type. */
  mimetype: string
  bytes: Uint8Array
}

export interface OpenAiDouble {
  fetch: typeof fetch
  handle(request: Request): Promise<Response>
  requests: WireRequest[]
  transcriptions: TranscriptionRequest[]
}

/** The images (`image_url` parts) the model received in user messages, in order. */
export function imageInputs(request: WireRequest | undefined): string[] {
  return (request?.messages ?? []).flatMap((m) =>
    Array.isArray(m.content)
      ? m.content.flatMap((part) => (part.type === 'image_url' ? [part.image_url.url] : []))
      : [],
  )
}

let seq = 0

function completion(
  request: WireRequest,
  turn:
    | { content: string; promptTokens?: number }
    | { toolCalls: { name: string; arguments: Record<string, unknown> }[] },
) {
  const reported = 'promptTokens' in turn ? turn.promptTokens : undefined
  const promptTokens = reported ?? JSON.stringify(request.messages).length >> 2
  const id = ++seq
  const toolCalls =
    'toolCalls' in turn
      ? turn.toolCalls.map((call, i) => ({
          id: `call_${id}_${i}`,
          type: 'function' as const,
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        }))
      : undefined
  const content = 'content' in turn ? turn.content : null
  return {
    id: `chatcmpl-double${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: 'fp_double',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls ? 'tool_calls' : 'stop',
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: (content?.length ?? 20) >> 2,
      total_tokens: promptTokens + ((content?.length ?? 20) >> 2),
    },
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': 'req_double' },
  })

async function transcribe(
  request: Request,
  step: TranscriptionStep | undefined,
  received: TranscriptionRequest[],
): Promise<Response> {
  const form = await request.formData().catch(() => null)
  const file = form?.get('file')
  const model = form?.get('model')
  if (!(file instanceof Blob) || typeof model !== 'string' || !model) {
    return json(
      {
        error: {
          message: "Missing required parameter: 'file' and 'model' (multipart/form-data)",
          type: 'invalid_request_error',
          param: 'file',
          code: null,
        },
      },
      400,
    )
  }
  received.push({
    model,
    filename: file instanceof File ? file.name : 'blob',
    mimetype: file.type,
    bytes: new Uint8Array(await file.arrayBuffer()),
  })
  const answer = step ?? { text: '' }
  if ('status' in answer) {
    return json(
      { error: { message: answer.message, type: 'server_error', param: null, code: null } },
      answer.status,
    )
  }
  return json({ text: answer.text, usage: { type: 'duration', seconds: 4 } })
}

/**
 * `apiKey`: the bearer key it requires (`sk-test` by default); null accepts any.
 * `transcriptions`: the answers of /audio/transcriptions in order (the last one repeats).
 */
export function createOpenAiDouble(
  script: ScriptStep[],
  options: { apiKey?: string | null; transcriptions?: TranscriptionStep[] } = {},
): OpenAiDouble {
  const requests: WireRequest[] = []
  const transcriptions: TranscriptionRequest[] = []
  const transcriptionScript = options.transcriptions ?? []
  const apiKey = options.apiKey === undefined ? 'sk-test' : options.apiKey
  let step = 0
  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    const isTranscription = request.method === 'POST' && path.endsWith('/audio/transcriptions')
    if (!isTranscription && (request.method !== 'POST' || !path.endsWith('/chat/completions'))) {
      return json(
        {
          error: { message: `Unknown route ${path}`, type: 'invalid_request_error', param: null, code: null },
        },
        404,
      )
    }
    if (apiKey !== null && request.headers.get('authorization') !== `Bearer ${apiKey}`) {
      return json(
        {
          error: {
            message: 'Incorrect API key provided',
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        },
        401,
      )
    }
    if (isTranscription) {
      const next = transcriptionScript[Math.min(transcriptions.length, transcriptionScript.length - 1)]
      return transcribe(request, next, transcriptions)
    }
    const body = (await request.json()) as WireRequest
    requests.push(body)
    const next = script[Math.min(step++, script.length - 1)]
    if (!next)
      return json({ error: { message: 'empty script', type: 'server_error', param: null, code: null } }, 500)
    const turn = typeof next === 'function' ? await next(body) : next
    if ('hang' in turn) {
      // Like a stuck server: no answer until the client gives up (the SDK's timeout aborts).
      return new Promise((_, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason ?? new Error('aborted')))
      })
    }
    if ('status' in turn) {
      return json(
        { error: { message: turn.message, type: 'server_error', param: null, code: null } },
        turn.status,
      )
    }
    return json(completion(body, turn))
  }
  return {
    handle,
    requests,
    transcriptions,
    fetch: (input, init) => handle(new Request(input, init)),
  }
}

/** The content the tool loop sent back for a tool, parsed (the double's view of the wire). */
export function toolResult(request: WireRequest, name: string): unknown {
  const calls = request.messages.flatMap((m) => m.tool_calls ?? [])
  const call = calls.find((c) => c.function.name === name)
  const answer = request.messages.find((m) => m.role === 'tool' && m.tool_call_id === call?.id)
  return typeof answer?.content === 'string' ? JSON.parse(answer.content) : undefined
}
