import type { OutgoingMedia } from './media/outgoing-media.ts'
import { result } from './query-result.ts'
import type {
  Agent,
  AiRun,
  CannedReply,
  Conversation,
  ConversationLabel,
  ConversationStatus,
  Db,
  InboxChannel,
  Label,
  Message,
  SearchHit,
} from './types.ts'

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
    /**
     * The thread around one message (a search hit): it and PAGE_SIZE - 1 older ones, plus up to
     * PAGE_SIZE newer ones, oldest first. `newer.length === PAGE_SIZE` means the present is further on.
     */
    messagesAround: async (
      conversationId: string,
      at: string,
    ): Promise<{ older: Message[]; newer: Message[] }> => {
      const thread = () => db.from('messages').select('*').eq('conversation_id', conversationId)
      const [older, newer] = await Promise.all([
        result(thread().lte('created_at', at).order('created_at', { ascending: false }).limit(PAGE_SIZE)),
        result(thread().gt('created_at', at).order('created_at', { ascending: true }).limit(PAGE_SIZE)),
      ])
      return { older, newer }
    },
    /** When a message of this chat was stored (where a thread opened at it starts), or null. */
    messageTime: async (conversationId: string, id: string): Promise<string | null> => {
      const q = db.from('messages').select('created_at').eq('conversation_id', conversationId).eq('id', id)
      return (await result(q.maybeSingle()))?.created_at ?? null
    },
    /** Full-text search over the whole history (server side, ranked, with snippets; ADR 100). */
    searchMessages: (text: string): Promise<SearchHit[]> =>
      result(db.rpc('search_messages', { p_query: text })),
    aiRuns: (conversationId: string): Promise<AiRun[]> =>
      result(
        db.from('ai_runs').select('*').eq('conversation_id', conversationId).order('created_at').limit(200),
      ),
    agents: (): Promise<Agent[]> => result(db.from('agents').select('*').order('display_name')),
    agent: (userId: string): Promise<Agent | null> =>
      result(db.from('agents').select('*').eq('user_id', userId).maybeSingle()),
    /** RLS: the shared replies and the caller's own. */
    cannedReplies: (): Promise<CannedReply[]> =>
      result(db.from('canned_replies').select('id, shortcut, body, owner_id').order('shortcut')),

    /** Every number the store has had (a handful): which one each chat came in on. */
    channels: (): Promise<InboxChannel[]> =>
      result(db.from('channels').select('id, name, phone, archived_at').order('created_at')),
    labels: (): Promise<Label[]> => result(db.from('labels').select('id, name, color').order('name')),
    /** Every label on every chat of the tenant (a few per chat): the inbox filters and shows them. */
    conversationLabels: (): Promise<ConversationLabel[]> =>
      result(db.from('conversation_labels').select('conversation_id, label_id').limit(50_000)),
    setLabel: (conversationId: string, labelId: string, on: boolean): Promise<ConversationLabel[]> =>
      result(
        db.rpc('set_conversation_label', {
          p_conversation_id: conversationId,
          p_label_id: labelId,
          p_on: on,
        }),
      ),

    takeover: (id: string): Promise<Conversation> => result(db.rpc('takeover', { p_conversation_id: id })),
    handback: (id: string): Promise<Conversation> => result(db.rpc('handback', { p_conversation_id: id })),
    /** A reply; with `media`, a file already uploaded to the tenant's outgoing/ folder, `body` its caption. */
    send: (id: string, body: string, clientRef: string, media?: OutgoingMedia): Promise<Message> =>
      result(
        db.rpc('send_agent_message', {
          p_conversation_id: id,
          p_body: body,
          p_client_ref: clientRef,
          ...(media ? { p_media: { ...media } } : {}),
        }),
      ),
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
