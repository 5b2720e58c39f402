import { result } from './query-result.ts'
import type { Agent, AiRun, CannedReply, Conversation, ConversationStatus, Db, Message } from './types.ts'

export const PAGE_SIZE = 50
export const INBOX_PAGE = 500

/** Every read and action the desk does, in one place: reads under RLS, actions through the SQL functions. */
export function createDeskApi(db: Db) {
  return {
    /** Most recent activity first, INBOX_PAGE at a time; `before` continues after the last one shown. */
    conversations: (before?: string): Promise<Conversation[]> => {
      let q = db.from('conversations').select('*')
      if (before) q = q.lt('last_message_at', before)
      return result(q.order('last_message_at', { ascending: false, nullsFirst: false }).limit(INBOX_PAGE))
    },
    conversation: (id: string): Promise<Conversation | null> =>
      result(db.from('conversations').select('*').eq('id', id).maybeSingle()),
    /** Newest page first; `before` pages back in time for "older messages on scroll". */
    messages: (conversationId: string, before?: string): Promise<Message[]> => {
      let q = db.from('messages').select('*').eq('conversation_id', conversationId)
      if (before) q = q.lt('created_at', before)
      return result(q.order('created_at', { ascending: false }).limit(PAGE_SIZE))
    },
    /** Conversation ids whose messages contain the text (PostgREST ilike; % and _ are escaped). */
    searchMessages: async (text: string) => {
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      const found = await result(
        db.from('messages').select('conversation_id').ilike('body', pattern).eq('private', false).limit(200),
      )
      return new Set(found.map((m) => m.conversation_id))
    },
    aiRuns: (conversationId: string): Promise<AiRun[]> =>
      result(
        db.from('ai_runs').select('*').eq('conversation_id', conversationId).order('created_at').limit(200),
      ),
    agents: (): Promise<Agent[]> => result(db.from('agents').select('*').order('display_name')),
    agent: (userId: string): Promise<Agent | null> =>
      result(db.from('agents').select('*').eq('user_id', userId).maybeSingle()),
    cannedReplies: (): Promise<CannedReply[]> =>
      result(db.from('canned_replies').select('id, shortcut, body').order('shortcut')),

    takeover: (id: string): Promise<Conversation> => result(db.rpc('takeover', { p_conversation_id: id })),
    handback: (id: string): Promise<Conversation> => result(db.rpc('handback', { p_conversation_id: id })),
    send: (id: string, body: string, clientRef: string): Promise<Message> =>
      result(db.rpc('send_agent_message', { p_conversation_id: id, p_body: body, p_client_ref: clientRef })),
    addNote: (id: string, body: string): Promise<Message> =>
      result(db.rpc('add_note', { p_conversation_id: id, p_body: body })),
    assign: (id: string, agentId: string | null): Promise<Conversation> =>
      // null unassigns; generated argument types never say null (supabase gen types has no nullability for them).
      result(db.rpc('assign_conversation', { p_conversation_id: id, p_agent_id: agentId as string })),
    setStatus: (id: string, status: ConversationStatus): Promise<Conversation> =>
      result(db.rpc('set_conversation_status', { p_conversation_id: id, p_status: status })),
    markRead: (id: string) => result(db.rpc('mark_conversation_read', { p_conversation_id: id })),
    retry: (messageId: string): Promise<Message> =>
      result(db.rpc('retry_message', { p_message_id: messageId })),
    /** This desk is open (agents.last_seen_at, read by the monitoring API). */
    touchPresence: () => result(db.rpc('touch_presence')),
  }
}

export type DeskApi = ReturnType<typeof createDeskApi>
