import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the AI was asked: the Chat Completions request body the functions sent. */
export interface ChatRequest {
  model: string
  messages: { role: string; content: unknown }[]
}

export interface OpenAiDouble {
  /** Base URL for OPENAI_BASE_URL (…/v1). */
  baseUrl: string
  requests: ChatRequest[]
  close(): Promise<void>
}

/**
 * An OpenAI-compatible model on 127.0.0.1:0 speaking the Chat Completions wire format
 * (choices, finish_reason, usage). It answers "IA: <last user message>" and records every request.
 */
export async function startOpenAiDouble(): Promise<OpenAiDouble> {
  const requests: ChatRequest[] = []
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          error: { message: `No route ${req.method} ${req.url}`, type: 'invalid_request_error' },
        }),
      )
      return
    }
    const body = JSON.parse(Buffer.concat(chunks).toString()) as ChatRequest
    requests.push(body)
    const last = [...body.messages].reverse().find((m) => m.role === 'user')
    const content = `IA: ${typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content)}`
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        id: `chatcmpl-e2e${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 321, completion_tokens: 12, total_tokens: 333 },
      }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
