/**
 * @module
 * The OpenAI double for tests that only need a model that answers: the scripted double
 * (`openai-double.ts`) served over HTTP on 127.0.0.1:0, replying `IA: <last user message>` to every
 * request, with any API key, reporting `ECHO_PROMPT_TOKENS` prompt tokens. `baseUrl` is what OPENAI_BASE_URL takes.
 */
import { createOpenAiDouble, type WireRequest } from './openai-double.ts'
import { serve } from './serve.ts'

/** The usage every echo reports, so a test can check what was recorded in ai_runs. */
export const ECHO_PROMPT_TOKENS = 321

export interface OpenAiDouble {
  /** Base URL for OPENAI_BASE_URL (…/v1). */
  baseUrl: string
  /** What the AI was asked: the Chat Completions request bodies the functions sent. */
  requests: WireRequest[]
  close(): Promise<void>
}

export async function startOpenAiDouble(): Promise<OpenAiDouble> {
  const double = createOpenAiDouble(
    [
      (request) => {
        const last = request.messages.findLast((message) => message.role === 'user')
        const content: unknown = last?.content
        return {
          content: `IA: ${typeof content === 'string' ? content : JSON.stringify(content)}`,
          promptTokens: ECHO_PROMPT_TOKENS,
        }
      },
    ],
    { apiKey: null },
  )
  const served = await serve(double.handle)
  return { baseUrl: `${served.url}/v1`, requests: double.requests, close: served.close }
}
