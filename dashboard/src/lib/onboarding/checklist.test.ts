import { describe, expect, it } from 'vitest'
import { type ChecklistFacts, checklistSteps } from './checklist.ts'

const NEW_STORE: ChecklistFacts = {
  channelStatuses: ['starting'],
  aiProvider: 'openai',
  aiHttpUrl: null,
  openaiKeySet: false,
  aiHasReplied: false,
  shopifyDomain: null,
  agentCount: 1,
  invitationCount: 0,
  conversationCount: 0,
}
const done = (facts: Partial<ChecklistFacts>) =>
  checklistSteps({ ...NEW_STORE, ...facts })
    .filter((s) => s.done)
    .map((s) => s.id)

describe('checklistSteps', () => {
  it('has nothing done for a store just created, each step linking to its screen', () => {
    expect(checklistSteps(NEW_STORE)).toEqual([
      { id: 'whatsapp', done: false, href: '/connection' },
      { id: 'ai', done: false, href: '/settings' },
      { id: 'shopify', done: false, href: '/settings' },
      { id: 'team', done: false, href: '/team' },
      { id: 'test', done: false, href: '/inbox' },
    ])
  })

  it('links WhatsApp once any number is ready', () => {
    expect(done({ channelStatuses: ['qr', 'ready'] })).toEqual(['whatsapp'])
    expect(done({ channelStatuses: ['qr', 'disconnected'] })).toEqual([])
  })

  it('has the AI chosen with its own key, a working deployment model, or a coordinator URL', () => {
    expect(done({ openaiKeySet: true })).toEqual(['ai'])
    expect(done({ aiHasReplied: true })).toEqual(['ai'])
    expect(done({ aiProvider: 'http', aiHttpUrl: 'https://coord.example/ai' })).toEqual(['ai'])
    expect(done({ aiProvider: 'http', openaiKeySet: true })).toEqual([])
  })

  it('counts Shopify, the team and the test message from their rows', () => {
    expect(done({ shopifyDomain: 'shop.myshopify.com' })).toEqual(['shopify'])
    expect(done({ invitationCount: 1 })).toEqual(['team'])
    expect(done({ agentCount: 2 })).toEqual(['team'])
    expect(done({ conversationCount: 1 })).toEqual(['test'])
  })
})
