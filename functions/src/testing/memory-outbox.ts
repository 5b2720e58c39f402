/**
 * @module
 * A Cloud API number's outbox in memory (claim and mark as plain map updates), for the sender's
 * tests and the benchmark of its pacing without a database. Claimed rows are `sending` until
 * marked, like a lease that never expires.
 */
import type { GraphApiDouble } from '@relevo/testing/graph-api-double'
import type { SenderStore } from '../cloud-api/channel-sender.ts'
import type { CloudChannel, CloudOutboxRow } from '../cloud-api/ports.ts'

type Row = CloudOutboxRow & { status: 'queued' | 'sending' | 'sent' | 'failed' }

/** A ready number on the Graph API double, sending at most `messagesPerSecond`. */
export function doubleChannel(graph: GraphApiDouble, messagesPerSecond: number): CloudChannel {
  return {
    channelId: 'ch',
    tenantId: 't',
    status: 'ready',
    phoneNumberId: graph.number.phoneNumberId,
    wabaId: graph.number.wabaId,
    messagesPerSecond,
    accessToken: 'relevo-demo-access-token',
    appSecret: graph.appSecret,
  }
}

export function memoryOutbox(channel: CloudChannel, count: number) {
  const rows = new Map<string, Row>()
  for (let i = 0; i < count; i++) {
    const id = `m${i}`
    const row: Row = {
      id,
      conversationId: 'c',
      recipient: '5215500000000',
      body: `only ${i}`,
      template: null,
      file: null,
      attempts: 0,
      status: 'queued',
    }
    rows.set(id, row)
  }
  const store: SenderStore = {
    channel: async () => channel,
    claim: async (_channelId, _worker, limit) => {
      const due = [...rows.values()].filter((r) => r.status === 'queued').slice(0, limit)
      for (const r of due) r.status = 'sending'
      return due.map(({ status, ...r }) => r)
    },
    markSent: async (id) => {
      const row = rows.get(id)
      if (row) row.status = 'sent'
    },
    markFailed: async (id, _error, retryable) => {
      const row = rows.get(id)
      if (row) row.status = retryable ? 'queued' : 'failed'
    },
    nextDue: async () => null,
    setChannelError: async () => {},
  }
  return {
    store,
    /** Rows neither sent nor failed for good. */
    left: () => [...rows.values()].filter((r) => r.status === 'queued' || r.status === 'sending').length,
  }
}
