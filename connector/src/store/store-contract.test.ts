import { startBackend } from '../testing/stand-in.ts'
import { MemoryStore } from './memory-store.ts'
import { messageStoreContract } from './message-store.contract.ts'

messageStoreContract('in-memory fake', async () => {
  const store = new MemoryStore()
  return {
    store,
    enqueue: async (chatId, body) => store.enqueue(chatId, body).id,
    close: async () => {},
  }
})

messageStoreContract('SQL functions through the stand-in', async () => {
  const backend = await startBackend()
  const agent = await backend.agent()
  return {
    store: backend.store('contract'),
    async enqueue(chatId, body) {
      const { data: conv, error } = await agent
        .from('conversations')
        .select('id')
        .eq('wa_chat_id', chatId)
        .single()
      if (error) throw error
      const sent = await agent.rpc('send_agent_message', { p_conversation_id: conv.id, p_body: body })
      if (sent.error) throw sent.error
      return (sent.data as { id: string }).id
    },
    close: () => backend.close(),
  }
})
