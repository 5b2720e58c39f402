/**
 * @module
 * An in-memory fake of the store ports for workerd tests, following the SQL functions' rules
 * (enqueue_ai_reply's refusals, ai_handoff's fallback). The Node integration suite runs the same
 * scenarios against the real SQL through the local stand-in.
 */
import { MediaError, type MediaFiles, type ReplyMedia } from '../pipeline/media.ts'
import { LIVE_CLAIM_SECONDS } from '../pipeline/run-budget.ts'
import type { EnqueueResult, LabelResult, MaintenanceStore, PipelineStore } from '../pipeline/store.ts'
import type {
  ChatMessage,
  Conversation,
  RunRecord,
  TenantSecrets,
  TenantSettings,
} from '../pipeline/types.ts'

export interface StoredMessage extends ChatMessage {
  status: string
  inReplyTo: string | null
}

export interface StoredRun extends Partial<RunRecord> {
  id: string
  triggerMessageId: string
  conversationId: string
  createdAt: string
  outcome: RunRecord['outcome']
  reason: string | null
}

export const TENANT_ID = '00000000-0000-4000-8000-000000000001'
export const CHANNEL_ID = '00000000-0000-4000-8000-000000000101'

export function demoTenant(overrides: Partial<TenantSettings> = {}): TenantSettings {
  return {
    id: TENANT_ID,
    name: 'Demo Store',
    aiProvider: 'openai',
    aiModel: 'gpt-4o-mini',
    aiHttpUrl: null,
    aiHttpMapping: null,
    systemPrompt: 'Eres el asistente de ventas de Demo Store.',
    language: 'es',
    debounceSeconds: 0,
    contextMessages: 20,
    handoffKeywords: ['humano', 'persona', 'agente', 'human', 'person', 'agent'],
    fallbackText: 'Te comunico con una persona de nuestro equipo.',
    shopifyShopDomain: null,
    aiAcceptsImages: true,
    transcriptionModel: 'gpt-4o-mini-transcribe',
    ...overrides,
  }
}

export class MemoryStore implements PipelineStore, MaintenanceStore, MediaFiles {
  messages: StoredMessage[] = []
  conversations = new Map<
    string,
    Conversation & { needsAttention: boolean; attentionReason: string | null }
  >()
  tenants = new Map<string, TenantSettings>()
  secrets = new Map<string, TenantSecrets>()
  runs: StoredRun[] = []
  private clock = Date.parse('2026-11-25T12:00:00Z')
  private ids = 0
  /** Per store: conversation agents (Durable Objects named by conversation id) outlive a test. */
  private readonly idBase = crypto.randomUUID().slice(0, 8)

  constructor(tenant: TenantSettings = demoTenant(), secrets: Partial<TenantSecrets> = {}) {
    this.tenants.set(tenant.id, tenant)
    this.secrets.set(tenant.id, {
      openaiApiKey: null,
      shopifyAccessToken: null,
      aiHttpSecret: null,
      aiHttpHeaderSecret: null,
      ...secrets,
    })
  }

  private id(prefix: string): string {
    return `${this.idBase}-0000-4000-${prefix}-${String(++this.ids).padStart(12, '0')}`
  }

  /** The store's clock: messages are stamped one second apart, so tests control "now". */
  now(): number {
    return this.clock
  }

  /** Time passes (a debounce window, a slow model) without a message. */
  advance(ms: number): void {
    this.clock += ms
  }

  private tick(): string {
    this.clock += 1000
    return new Date(this.clock).toISOString()
  }

  addConversation(phone = '5215512345678', name: string | null = 'Ana'): Conversation {
    const conv = {
      id: this.id('a000'),
      tenantId: TENANT_ID,
      channelId: CHANNEL_ID,
      mode: 'ai' as const,
      status: 'open' as const,
      customerName: name,
      customerPhone: phone,
      needsAttention: false,
      attentionReason: null,
    }
    this.conversations.set(conv.id, conv)
    return conv
  }

  /** A customer message, as ingest_message would store it. */
  receive(conversationId: string, body: string): StoredMessage {
    return this.store({
      id: this.id('b000'),
      conversationId,
      direction: 'in',
      author: 'customer',
      body,
      status: 'received',
      inReplyTo: null,
    })
  }

  /** Appends a new text message: what it says and who wrote it; the rest as every new message starts. */
  private store(
    message: Pick<
      StoredMessage,
      'id' | 'conversationId' | 'direction' | 'author' | 'body' | 'status' | 'inReplyTo'
    >,
  ): StoredMessage {
    const msg: StoredMessage = {
      ...message,
      tenantId: TENANT_ID,
      type: 'text',
      createdAt: this.tick(),
      deletedAt: null,
      media: null,
      mediaStatus: null,
      transcript: null,
    }
    this.messages.push(msg)
    return msg
  }

  /** A customer's file whose upload the connector finished (ingest_message, then mark_media_stored). */
  receiveFile(
    conversationId: string,
    file: { type: string; mimetype: string; bytes: Uint8Array; filename?: string; caption?: string },
  ): StoredMessage {
    const msg = this.receive(conversationId, file.caption ?? '')
    const path = `${TENANT_ID}/${conversationId}/${msg.id}`
    this.files.set(path, { bytes: file.bytes, contentType: file.mimetype })
    Object.assign(msg, {
      type: file.type,
      mediaStatus: 'stored',
      media: {
        path,
        mimetype: file.mimetype,
        size: file.bytes.byteLength,
        ...(file.filename ? { filename: file.filename } : {}),
      },
    })
    return msg
  }

  /** The `media` bucket: path → bytes. */
  readonly files = new Map<string, { bytes: Uint8Array; contentType: string }>()

  async download(path: string) {
    const file = this.files.get(path)
    if (!file) throw new MediaError('media_unavailable', `no file at ${path}`)
    return file.bytes
  }
  async upload(path: string, bytes: Uint8Array | ReadableStream<Uint8Array>, contentType: string) {
    const whole =
      bytes instanceof Uint8Array ? bytes : new Uint8Array(await new Response(bytes).arrayBuffer())
    this.files.set(path, { bytes: whole, contentType })
  }
  async signedUrl(path: string, seconds: number) {
    return `https://storage.test/${path}?expires_in=${seconds}`
  }
  async saveTranscript(messageId: string, transcript: string) {
    const msg = this.messages.find((m) => m.id === messageId)
    if (msg?.type !== 'audio') throw new Error('message_not_found')
    if (!msg.deletedAt) msg.transcript = transcript
  }

  /** The customer deletes a message for everyone (record_revoke): text gone, a queued AI reply cancelled. */
  revoke(messageId: string): void {
    const msg = this.messages.find((m) => m.id === messageId)
    if (!msg) throw new Error('no message')
    msg.body = ''
    msg.deletedAt = this.tick()
    for (const m of this.messages) {
      if (m.inReplyTo === messageId && m.author === 'ai' && m.status === 'queued') m.status = 'cancelled'
    }
  }

  /** An agent's takeover (rule 2): mode human, queued AI messages cancelled. */
  takeover(conversationId: string): void {
    const conv = this.conversations.get(conversationId)
    if (!conv) throw new Error('no conversation')
    conv.mode = 'human'
    for (const m of this.messages) {
      if (m.conversationId === conversationId && m.author === 'ai' && m.status === 'queued')
        m.status = 'cancelled'
    }
  }

  outbox(conversationId?: string): StoredMessage[] {
    return this.messages.filter(
      (m) =>
        m.direction === 'out' &&
        m.status === 'queued' &&
        (!conversationId || m.conversationId === conversationId),
    )
  }

  async getMessage(id: string) {
    return this.messages.find((m) => m.id === id) ?? null
  }
  async getConversation(id: string) {
    return this.conversations.get(id) ?? null
  }
  async getTenant(id: string) {
    return this.tenants.get(id) ?? null
  }
  async getTenantSecrets(id: string) {
    return (
      this.secrets.get(id) ?? {
        openaiApiKey: null,
        shopifyAccessToken: null,
        aiHttpSecret: null,
        aiHttpHeaderSecret: null,
      }
    )
  }
  async latestIncomingId(conversationId: string) {
    return (
      this.messages
        .filter((m) => m.conversationId === conversationId && m.direction === 'in' && !m.deletedAt)
        .at(-1)?.id ?? null
    )
  }
  async recentMessages(conversationId: string, limit: number) {
    return this.messages.filter((m) => m.conversationId === conversationId).slice(-limit)
  }

  /** claim_ai_run's rule: a finished reply or handoff, or a claim still live, beats this one. */
  async claimRun(trigger: ChatMessage, provider: string) {
    const liveSince = this.clock - LIVE_CLAIM_SECONDS * 1000
    const beaten = this.runs.some(
      (r) =>
        r.triggerMessageId === trigger.id &&
        (r.outcome === 'replied' ||
          r.outcome === 'handoff' ||
          (r.reason === 'claimed' && Date.parse(r.createdAt) > liveSince)),
    )
    const run: StoredRun = {
      id: this.id('c000'),
      triggerMessageId: trigger.id,
      conversationId: trigger.conversationId,
      createdAt: this.tick(),
      provider,
      outcome: 'skipped',
      reason: 'claimed',
    }
    this.runs.push(run)
    return { runId: run.id, won: !beaten }
  }
  async releaseRun(runId: string) {
    this.runs = this.runs.filter((r) => r.id !== runId)
  }
  async finishRun(runId: string, record: RunRecord) {
    const run = this.runs.find((r) => r.id === runId)
    if (run) Object.assign(run, record)
  }

  async enqueueReply(triggerId: string, body: string, media?: ReplyMedia): Promise<EnqueueResult> {
    const trigger = this.messages.find((m) => m.id === triggerId)
    if (!trigger) throw new Error('message_not_found')
    const conv = this.conversations.get(trigger.conversationId)
    const refuse = (reason: string) => ({ enqueued: false, reason, messageId: null })
    if (trigger.deletedAt) return refuse('trigger_deleted')
    if (conv?.mode !== 'ai') return refuse('not_ai_mode')
    const later = this.messages.filter((m) => m.conversationId === conv.id && m.createdAt > trigger.createdAt)
    if (later.some((m) => m.direction === 'in' && !m.deletedAt)) return refuse('newer_message')
    const answered = this.messages.some(
      (m) =>
        m.conversationId === conv.id &&
        m.direction === 'out' &&
        m.status !== 'cancelled' &&
        (m.inReplyTo === trigger.id || m.createdAt > trigger.createdAt),
    )
    if (answered) return refuse('already_answered')
    const reply = this.outgoing(conv.id, 'ai', body, trigger.id)
    if (media) Object.assign(reply, { type: 'image', media, mediaStatus: 'stored' })
    return { enqueued: true, reason: null, messageId: reply.id }
  }

  private outgoing(conversationId: string, author: 'ai' | 'system', body: string, inReplyTo: string | null) {
    return this.store({
      id: this.id('d000'),
      conversationId,
      direction: 'out',
      author,
      body,
      status: 'queued',
      inReplyTo,
    })
  }

  async handoff(conversationId: string, reason: string) {
    const conv = this.conversations.get(conversationId)
    if (!conv) throw new Error('conversation_not_found')
    conv.needsAttention = true
    conv.attentionReason = reason
    if (conv.mode === 'human') return
    conv.mode = 'human'
    this.takeover(conversationId)
    this.outgoing(conversationId, 'system', this.tenants.get(conv.tenantId)?.fallbackText ?? '', null)
  }

  /** Labels per tenant (name list) and the ones the AI put on each chat, for ai_set_label. */
  readonly labels = new Map<string, string[]>()
  readonly chatLabels = new Map<string, string[]>()

  async setLabel(conversationId: string, labelName: string): Promise<LabelResult> {
    const conv = this.conversations.get(conversationId)
    if (!conv) throw new Error('conversation_not_found')
    if (!this.tenants.get(conv.tenantId)?.aiLabels) return { applied: false, reason: 'labels_disabled' }
    const name = (this.labels.get(conv.tenantId) ?? []).find(
      (l) => l.toLowerCase() === labelName.trim().toLowerCase(),
    )
    if (!name) return { applied: false, reason: 'label_not_found' }
    const current = this.chatLabels.get(conversationId) ?? []
    if (!current.includes(name)) this.chatLabels.set(conversationId, [...current, name])
    return { applied: true }
  }

  async unansweredMessages() {
    return [...this.conversations.values()].flatMap((c) => {
      const last = this.messages.filter((m) => m.conversationId === c.id).at(-1)
      if (c.mode !== 'ai' || !last || last.direction !== 'in') return []
      if (this.runs.some((r) => r.triggerMessageId === last.id)) return []
      return [{ messageId: last.id, conversationId: c.id, tenantId: c.tenantId }]
    })
  }
  /** abandoned_ai_runs' rule: claims past the live window that never finished. */
  async abandonedRuns() {
    const before = this.clock - LIVE_CLAIM_SECONDS * 1000
    return this.runs
      .filter((r) => r.outcome === 'skipped' && r.reason === 'claimed' && Date.parse(r.createdAt) < before)
      .map((r) => ({ runId: r.id, conversationId: r.conversationId, provider: r.provider ?? '' }))
  }
  async autoReturnIdle() {
    return 0
  }
  async assignWaitingChats() {
    return { requeued: 0, assigned: 0 }
  }
  async flagStaleChannels() {
    return 0
  }
  async expireMedia() {
    return 0
  }
  async mediaDeletionsDue(): Promise<string[]> {
    return []
  }
  async removeMediaFiles() {}
  async mediaDeletionsDone() {}
  /** No webhook endpoints in memory: events out are tested against the stand-in. */
  async dueWebhookEndpoints() {
    return []
  }
  async pruneWebhookHistory() {
    return 0
  }
  /** The memory store has WhatsApp Web channels only: no Cloud API outbox to sweep. */
  async cloudChannelsWithDueOutbox() {
    return []
  }
}
