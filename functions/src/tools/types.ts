/**
 * @module
 * A tool the model may call. `parameters` is the JSON Schema sent to the model; `run` gets the
 * model's arguments as `unknown` and parses them itself (the model is an untrusted caller).
 */

export interface ToolOutput {
  /** JSON-serialisable result handed back to the model. */
  result: unknown
  /** Set by handoff_to_human: the run stops and the chat goes to a person with this reason. */
  handoff?: { reason: string }
  /** Set by show_product_image: the reply carries this image (the last one chosen wins). */
  attachImage?: string
}

export interface Tool {
  name: string
  description: string
  parameters: Record<string, unknown>
  run(args: unknown): Promise<ToolOutput>
}
