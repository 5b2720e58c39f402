/**
 * @module
 * The `MessageStore` contract as one suite, run against the in-memory fake and against the
 * real SQL functions through the stand-in (`store-contract.test.ts`), so the fake the flow
 * tests rely on cannot drift from the rules it copies.
 */

import { DEMO_CHANNEL_ID as channelId } from '@relevo/testing/demo-seed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestInput, MessageStore } from './message-store.ts'

export interface ContractSubject {
  store: MessageStore
  /** Queues an outgoing message into the chat's conversation (as an agent's send does); returns its id. */
  enqueue(chatId: string, body: string): Promise<string>
  close(): Promise<void>
}

let chats = 0
/** A customer chat of its own for each case, so cases never see each other's rows. */
function newChat(): {
  chatId: string
  input: (waMessageId: string, extra?: Partial<IngestInput>) => IngestInput
} {
  chats += 1
  const phone = `52155${String(90_000_000 + chats * 7919 + Math.floor(Math.random() * 1000)).padStart(8, '0')}`
  const chatId = `${phone}@c.us`
  return {
    chatId,
    input: (waMessageId, extra = {}) => ({
      channelId,
      waMessageId: `${waMessageId}-${phone}`,
      chatId,
      fromMe: false,
      body: 'hola',
      customerName: 'Contract',
      customerPhone: `+${phone}`,
      type: 'text',
      media: null,
      sentAt: new Date().toISOString(),
      ...extra,
    }),
  }
}

export function messageStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`MessageStore contract: ${name}`, () => {
    let subject: ContractSubject
    beforeAll(async () => {
      subject = await open()
    }, 180_000)
    afterAll(async () => {
      await subject?.close()
    })

    it('ingests once per WhatsApp id: the second delivery is a duplicate of the same row', async () => {
      const chat = newChat()
      const first = await subject.store.ingestMessage(chat.input('wa-1'))
      const again = await subject.store.ingestMessage(chat.input('wa-1'))
      expect(first).toMatchObject({ duplicate: false, author: 'customer' })
      expect(again).toEqual({ ...first, duplicate: true })
    })

    it('records a message typed on the business phone with author phone', async () => {
      const chat = newChat()
      await subject.store.ingestMessage(chat.input('wa-1'))
      const typed = await subject.store.ingestMessage(
        chat.input('wa-2', { fromMe: true, body: 'yo atiendo' }),
      )
      expect(typed).toMatchObject({ duplicate: false, author: 'phone' })
    })

    it('claims a queued message once under its lease, with the chat it goes to', async () => {
      const chat = newChat()
      await subject.store.ingestMessage(chat.input('wa-1'))
      const id = await subject.enqueue(chat.chatId, 'claim me')
      const claimed = (await subject.store.claimOutbox(50, 30)).filter((m) => m.id === id)
      expect(claimed).toEqual([
        expect.objectContaining({ id, body: 'claim me', attempts: 1, chatId: chat.chatId }),
      ])
      const again = (await subject.store.claimOutbox(50, 30)).filter((m) => m.id === id)
      expect(again).toEqual([])
    })

    it('never claims a message whose WhatsApp id is recorded, and takes acks forward only', async () => {
      const chat = newChat()
      await subject.store.ingestMessage(chat.input('wa-1'))
      const id = await subject.enqueue(chat.chatId, 'sent once')
      await subject.store.claimOutbox(50, 30)
      const waId = `out-${chat.chatId}`
      await subject.store.markSent(id, waId)
      expect((await subject.store.claimOutbox(50, 30)).filter((m) => m.id === id)).toEqual([])
      expect(await subject.store.recordAck(waId, 'read')).toBe(true)
      expect(await subject.store.recordAck(waId, 'delivered')).toBe(false)
      expect(await subject.store.recordAck('never-sent', 'delivered')).toBe(false)
    })

    it('retries a retryable failure until the last attempt, and fails a permanent one at once', async () => {
      const chat = newChat()
      await subject.store.ingestMessage(chat.input('wa-1'))
      const retry = await subject.enqueue(chat.chatId, 'retry me')
      const permanent = await subject.enqueue(chat.chatId, 'give up')
      await subject.store.claimOutbox(50, 30)
      expect(
        await subject.store.markFailed(retry, { error: 'timeout', retryable: true, maxAttempts: 3 }),
      ).toBe('queued')
      expect(
        await subject.store.markFailed(permanent, {
          error: 'invalid number',
          retryable: false,
          maxAttempts: 3,
        }),
      ).toBe('failed')
      expect(
        await subject.store.markFailed(permanent, { error: 'again', retryable: true, maxAttempts: 3 }),
      ).toBe('failed')
    })

    it('applies a delete and the newest edit, and reports ids it never stored', async () => {
      const chat = newChat()
      const stored = await subject.store.ingestMessage(chat.input('wa-1'))
      expect(stored.duplicate).toBe(false)
      const waId = chat.input('wa-1').waMessageId
      const edit = (body: string, at: string) =>
        subject.store.recordChange({ kind: 'edited', waMessageId: waId, body, at })
      expect(await edit('newer', '2026-12-01T10:00:02.000Z')).toEqual({ found: true, duplicate: false })
      expect(await edit('older', '2026-12-01T10:00:01.000Z')).toEqual({ found: true, duplicate: true })
      const revoke = () =>
        subject.store.recordChange({ kind: 'revoked', waMessageId: waId, at: '2026-12-01T10:00:03.000Z' })
      expect(await revoke()).toEqual({ found: true, duplicate: false })
      expect(await revoke()).toEqual({ found: true, duplicate: true })
      expect(await edit('after delete', '2026-12-01T10:00:04.000Z')).toEqual({ found: true, duplicate: true })
      expect(
        await subject.store.recordChange({
          kind: 'revoked',
          waMessageId: 'never-stored',
          at: '2026-12-01T10:00:00.000Z',
        }),
      ).toEqual({ found: false, duplicate: false })
    })

    it('refuses a claim outside its bounds (limit 1..100, lease 5..3600 s)', async () => {
      await expect(subject.store.claimOutbox(0, 30)).rejects.toMatchObject({ code: 'invalid_argument' })
      await expect(subject.store.claimOutbox(10, 1)).rejects.toMatchObject({ code: 'invalid_argument' })
    })

    it('keeps a file pending until stored at its own path; a refused file is not fetched again', async () => {
      const chat = newChat()
      const file = (id: string) =>
        chat.input(id, {
          type: 'image',
          body: '',
          media: { waType: 'image', mimetype: 'image/png', size: 469 },
        })
      const kept = await subject.store.ingestMessage(file('wa-img'))
      const refused = await subject.store.ingestMessage(file('wa-big'))
      const text = await subject.store.ingestMessage(chat.input('wa-text'))
      expect([kept.mediaStatus, refused.mediaStatus, text.mediaStatus]).toEqual(['pending', 'pending', null])
      expect((await subject.store.ingestMessage(file('wa-img'))).mediaStatus).toBe('pending')
      const due = async () => (await subject.store.mediaToFetch(100, 0)).map((m) => m.messageId)
      expect(await due()).toEqual(expect.arrayContaining([kept.messageId, refused.messageId]))
      const media = { mimetype: 'image/png', size: 469, sha256: 'b'.repeat(64) }
      const own = `${kept.tenantId}/${kept.conversationId}/${kept.messageId}.png`
      await expect(
        subject.store.markMediaStored(kept.messageId, { ...media, path: `${kept.tenantId}/elsewhere/x.png` }),
      ).rejects.toMatchObject({ code: 'media_path_outside' })
      expect(await subject.store.markMediaStored(kept.messageId, { ...media, path: own })).toEqual({
        stored: true,
      })
      await subject.store.markMediaFailed(refused.messageId, {
        error: 'too_large',
        retryable: false,
        maxAttempts: 5,
      })
      expect(await due()).not.toContain(kept.messageId)
      expect(await due()).not.toContain(refused.messageId)
      expect((await subject.store.ingestMessage(file('wa-img'))).mediaStatus).toBe('stored')
    })

    it('answers a heartbeat with no re-link requested', async () => {
      expect(await subject.store.heartbeat()).toEqual({ relinkRequested: false })
    })
  })
}
