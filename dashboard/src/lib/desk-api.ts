import type { SupabaseClient } from '@supabase/supabase-js'
import { toDeskError } from './desk-error.ts'
import type { Agent, AiRun, CannedReply, Conversation, ConversationStatus, Message } from './types.ts'

export const PAGE_SIZE = 50
export const INBOX_PAGE = 500

/** Every read and action the desk does, in one place: reads under RLS, actions through the SQL functions. */
export function createDeskApi(db: SupabaseClient) {
  async function rows<T>(query: PromiseLike<{ data: unknown; error: unknown; status: number }>): Promise<T> {
    const { data, error, status } = await query
    if (error) throw toDeskError(error as object, status)
    return data as T
  }
  const rpc = <T>(fn: string, args: Record<string, unknown>) => rows<T>(db.rpc(fn, args))

  return {
    /** Most recent activity first, INBOX_PAGE at a time; `before` continues after the last one shown. */
    conversations: (before?: string) => {
      let q = db.from('conversations').select('*')
      if (before) q = q.lt('last_message_at', before)
      return rows<Conversation[]>(
        q.order('last_message_at', { ascending: false, nullsFirst: false }).limit(INBOX_PAGE),
      )
    },
    conversation: (id: string) =>
      rows<Conversation | null>(db.from('conversations').select('*').eq('id', id).maybeSingle()),
    /** Newest page first; `before` pages back in time for "older messages on scroll". */
    messages: (conversationId: string, before?: string) => {
      let q = db.from('messages').select('*').eq('conversation_id', conversationId)
      if (before) q = q.lt('created_at', before)
      return rows<Message[]>(q.order('created_at', { ascending: false }).limit(PAGE_SIZE))
    },
    /** Conversation ids whose messages contain the text (PostgREST ilike; % and _ are escaped). */
    searchMessages: async (text: string) => {
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      const found = await rows<{ conversation_id: string }[]>(
        db.from('messages').select('conversation_id').ilike('body', pattern).eq('private', false).limit(200),
      )
      return new Set(found.map((m) => m.conversation_id))
    },
    aiRuns: (conversationId: string) =>
      rows<AiRun[]>(
        db.from('ai_runs').select('*').eq('conversation_id', conversationId).order('created_at').limit(200),
      ),
    agents: () => rows<Agent[]>(db.from('agents').select('*').order('display_name')),
    agent: (userId: string) =>
      rows<Agent | null>(db.from('agents').select('*').eq('user_id', userId).maybeSingle()),
    cannedReplies: () =>
      rows<CannedReply[]>(db.from('canned_replies').select('id, shortcut, body').order('shortcut')),

    takeover: (id: string) => rpc<Conversation>('takeover', { p_conversation_id: id }),
    handback: (id: string) => rpc<Conversation>('handback', { p_conversation_id: id }),
    send: (id: string, body: string, clientRef: string) =>
      rpc<Message>('send_agent_message', { p_conversation_id: id, p_body: body, p_client_ref: clientRef }),
    addNote: (id: string, body: string) => rpc<Message>('add_note', { p_conversation_id: id, p_body: body }),
    assign: (id: string, agentId: string | null) =>
      rpc<Conversation>('assign_conversation', { p_conversation_id: id, p_agent_id: agentId }),
    setStatus: (id: string, status: ConversationStatus) =>
      rpc<Conversation>('set_conversation_status', { p_conversation_id: id, p_status: status }),
    markRead: (id: string) => rpc<null>('mark_conversation_read', { p_conversation_id: id }),
    retry: (messageId: string) => rpc<Message>('retry_message', { p_message_id: messageId }),
  }
}

export type DeskApi = ReturnType<typeof createDeskApi>
