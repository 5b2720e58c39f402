/**
 * @module
 * The first-run checklist of a store's admin: each step is done or not from real rows (never a
 * flag someone ticks), and links to the screen where it is done.
 */

export interface ChecklistFacts {
  /** Status of every channel of the tenant. */
  channelStatuses: string[]
  aiProvider: 'openai' | 'http'
  aiHttpUrl: string | null
  /** The tenant's own OpenAI key is stored (tenant_secrets_status). */
  openaiKeySet: boolean
  /** An AI run of this tenant replied: the deployment's model works for it. */
  aiHasReplied: boolean
  shopifyDomain: string | null
  /** Agents of the tenant, the admin included. */
  agentCount: number
  invitationCount: number
  conversationCount: number
}

export type StepId = 'whatsapp' | 'ai' | 'shopify' | 'team' | 'test'

export interface Step {
  id: StepId
  done: boolean
  href: string
}

export function checklistSteps(facts: ChecklistFacts): Step[] {
  const aiChosen =
    facts.aiProvider === 'http' ? Boolean(facts.aiHttpUrl) : facts.openaiKeySet || facts.aiHasReplied
  return [
    { id: 'whatsapp', done: facts.channelStatuses.includes('ready'), href: '/connection' },
    { id: 'ai', done: aiChosen, href: '/settings' },
    { id: 'shopify', done: Boolean(facts.shopifyDomain), href: '/settings' },
    { id: 'team', done: facts.agentCount > 1 || facts.invitationCount > 0, href: '/team' },
    { id: 'test', done: facts.conversationCount > 0, href: '/inbox' },
  ]
}
