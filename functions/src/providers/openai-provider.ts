/**
 * @module
 * The `openai` provider: Chat Completions with a bounded tool loop. Chat Completions rather than
 * the Responses API because every OpenAI-compatible server (vLLM, llama.cpp, Ollama, LiteLLM)
 * implements it; `OPENAI_BASE_URL` points the SDK at any of them.
 */
import type OpenAI from 'openai'
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions'
import { type AiContext, type AiProvider, ProviderError, type ProviderResult } from '../pipeline/provider.ts'
import { MODEL_ROUNDS, TOOL_BUDGET_MS, TOOL_TIMEOUT_MS, withTimeout } from '../pipeline/run-budget.ts'
import type { ToolCallRecord } from '../pipeline/types.ts'
import type { Tool } from '../tools/types.ts'
import { createOpenAiClient, describeOpenAiError, type OpenAiClientOptions } from './openai-client.ts'
import { buildPrompt } from './prompt.ts'

export interface OpenAiProviderOptions extends OpenAiClientOptions {
  model: string
  tools: Tool[]
  /** Model rounds; the last one is forced to answer in text. */
  maxSteps?: number
  /** One tool call, and all tool calls of a run together (pipeline/run-budget.ts). */
  toolTimeoutMs?: number
  toolBudgetMs?: number
}

const MAX_REPLY = 4096

export function createOpenAiProvider(options: OpenAiProviderOptions): AiProvider {
  const client = createOpenAiClient(options)
  const maxSteps = options.maxSteps ?? MODEL_ROUNDS
  const toolTimeoutMs = options.toolTimeoutMs ?? TOOL_TIMEOUT_MS
  const toolBudgetMs = options.toolBudgetMs ?? TOOL_BUDGET_MS
  const byName = new Map(options.tools.map((t) => [t.name, t]))
  const toolDefs: ChatCompletionTool[] = options.tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }))

  return {
    name: 'openai',
    model: options.model,
    async generate(context: AiContext): Promise<ProviderResult> {
      const messages: ChatCompletionMessageParam[] = buildPrompt(context)
      const usage = { promptTokens: 0, completionTokens: 0 }
      const calls: ToolCallRecord[] = []
      const toolsDeadline = Date.now() + toolBudgetMs
      let imageUrl: string | undefined
      for (let step = 0; step < maxSteps; step++) {
        const last = step === maxSteps - 1
        const response = await complete(client, {
          model: options.model,
          messages,
          ...(toolDefs.length ? { tools: toolDefs, tool_choice: last ? 'none' : 'auto' } : {}),
        })
        usage.promptTokens += response.usage?.prompt_tokens ?? 0
        usage.completionTokens += response.usage?.completion_tokens ?? 0
        const message = response.choices[0]?.message
        if (!message) throw new ProviderError('provider_bad_answer', 'The model returned no choices')
        const toolCalls = (message.tool_calls ?? []).filter((tc) => tc.type === 'function')
        if (toolCalls.length === 0) {
          const text = message.content?.trim()
          if (!text) throw new ProviderError('provider_empty_reply', 'The model returned an empty reply')
          return {
            decision: { kind: 'reply', text: text.slice(0, MAX_REPLY), ...(imageUrl ? { imageUrl } : {}) },
            model: response.model,
            usage,
            tools: calls,
          }
        }
        // The assistant turn must be replayed with its tool_calls, then one tool message per call id.
        messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: toolCalls })
        for (const call of toolCalls) {
          const started = Date.now()
          const tool = byName.get(call.function.name)
          let output: unknown
          let ok = true
          try {
            if (!tool) throw new Error(`unknown tool ${call.function.name}`)
            // A hanging shop must not hold the run past its budget: the model hears it failed.
            const ms = Math.min(toolTimeoutMs, toolsDeadline - Date.now())
            if (ms <= 0) throw new Error('tool time budget of this reply is used up')
            const result = await withTimeout(
              tool.run(JSON.parse(call.function.arguments || '{}')),
              ms,
              call.function.name,
            )
            if (result.handoff) {
              calls.push({ name: call.function.name, ok: true, ms: Date.now() - started })
              return {
                decision: { kind: 'handoff', reason: result.handoff.reason },
                model: response.model,
                usage,
                tools: calls,
              }
            }
            output = result.result
            if (result.attachImage) imageUrl = result.attachImage
          } catch (error) {
            // A failing tool is the model's problem to explain, not a provider failure.
            ok = false
            output = { error: error instanceof Error ? error.message : 'tool failed' }
          }
          calls.push({ name: call.function.name, ok, ms: Date.now() - started, ...foundCount(output) })
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(output) })
        }
      }
      throw new ProviderError('provider_tool_loop', `No reply after ${maxSteps} model rounds`)
    },
  }
}

/** The number of items a tool returned, when its result is a list (e.g. `{ products: [...] }`). */
function foundCount(output: unknown): { count?: number } {
  if (Array.isArray(output)) return { count: output.length }
  if (output && typeof output === 'object') {
    const lists = Object.values(output).filter(Array.isArray)
    if (lists.length === 1) return { count: (lists[0] as unknown[]).length }
  }
  return {}
}

async function complete(client: OpenAI, body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming) {
  try {
    return await client.chat.completions.create(body)
  } catch (error) {
    const failure = describeOpenAiError(error)
    if (!failure) throw error
    throw new ProviderError(failure.code, failure.message, { cause: error })
  }
}
