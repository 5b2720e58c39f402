import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * An OpenAI-compatible server for end-to-end tests: `POST /v1/chat/completions` answers
 * with the Chat Completions wire format (choices, finish_reason, usage) and records every
 * request so tests can assert what the AI was asked. Replies are deterministic:
 * "IA: <last customer message>".
 */
export interface OpenAiDouble {
  baseUrl: string
  requests: ChatRequest[]
  close(): Promise<void>
}

export interface ChatRequest {
  model: string
  messages: Array<{ role: string; content: unknown }>
}

export async function startOpenAiDouble(): Promise<OpenAiDouble> {
  const requests: ChatRequest[] = []
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          error: { message: `No route ${req.method} ${req.url}`, type: 'invalid_request_error' },
        }),
      )
      return
    }
    const body = JSON.parse(await readBody(req)) as ChatRequest
    requests.push(body)
    const lastUser = [...body.messages].reverse().find((message) => message.role === 'user')
    const content = `IA: ${textOf(lastUser?.content)}`
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        id: `chatcmpl-e2e-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
      }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content.split('\n').at(-1) ?? ''
  return ''
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
