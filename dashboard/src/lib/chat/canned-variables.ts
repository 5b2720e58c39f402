/** What a canned reply's variables are filled from when an agent inserts it. */
export interface CannedContext {
  customer: { name: string | null; phone: string | null }
  agent: { name: string }
}

/** The variables a reply may use; documented on the replies screen and in the dashboard README. */
export const CANNED_VARIABLES = ['customer.name', 'customer.phone', 'agent.name'] as const

const VARIABLE = /\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}/gi

/**
 * The reply's body with `{{customer.name}}`, `{{customer.phone}}` and `{{agent.name}}` filled in.
 * An unknown variable, or one without a value (a customer who never gave a name), stays as written,
 * so the agent sees it in the composer and fixes it before sending instead of sending a blank.
 */
export function fillVariables(body: string, context: CannedContext): string {
  const values: Record<string, string | null> = {
    'customer.name': context.customer.name,
    'customer.phone': context.customer.phone,
    'agent.name': context.agent.name,
  }
  return body.replace(VARIABLE, (whole, name: string) => {
    const value = values[name.toLowerCase()]?.trim()
    return value ? value : whole
  })
}
