import { describe, expect, it } from 'vitest'
import { demoTenant, MemoryStore } from '../testing/memory-store.ts'
import { buildContext, pendingCustomerTexts } from './build-context.ts'
import type { ChatMessage, Conversation } from './types.ts'

function chat() {
  const store = new MemoryStore()
  const conversation = store.addConversation()
  return { store, conversation, say: (body: string) => store.receive(conversation.id, body) }
}

describe('buildContext', () => {
  const now = new Date('2026-11-25T12:00:00Z')
  const contextFor = (store: MemoryStore, conversation: Conversation, trigger: ChatMessage) =>
    buildContext({ tenant: demoTenant(), conversation, messages: store.messages, trigger, now })

  it('leaves out a message the customer deleted for everyone', () => {
    const { store, conversation, say } = chat()
    const hello = say('hola')
    store.revoke(say('mi tarjeta es 4111 1111 1111 1111').id)
    const trigger = say('busco una taza')
    const context = contextFor(store, conversation, trigger)
    expect(context.messages.map((m) => m.id)).toEqual([hello.id, trigger.id])
  })

  it('leaves out a trigger deleted after it was read, even with its old text in hand', () => {
    const { store, conversation, say } = chat()
    const hello = say('hola')
    const msg = say('perdón, chat equivocado')
    // The Supabase adapter returns a fresh object per read; the run still holds the one from before.
    const trigger = { ...msg }
    store.revoke(msg.id)
    const context = contextFor(store, conversation, trigger)
    expect(context.messages.map((m) => m.id)).toEqual([hello.id])
    expect(JSON.stringify(context)).not.toContain('chat equivocado')
  })
})

describe('pendingCustomerTexts', () => {
  it('skips deleted messages without ending the burst at them', async () => {
    const { store, say } = chat()
    await store.enqueueReply(say('hola').id, 'Hola, ¿en qué te ayudo?')
    say('tengo una duda')
    store.revoke(say('quiero un humano').id)
    say('¿cuánto cuesta la taza?')
    expect(pendingCustomerTexts(store.messages)).toEqual(['tengo una duda', '¿cuánto cuesta la taza?'])
  })
})
