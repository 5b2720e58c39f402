import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO_CHANNEL_ID, DEMO_TENANT_ID } from '@relevo/testing/demo-seed'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoConnector, startBackend, type TestBackend } from '../testing/stand-in.ts'
import { StoreRejectedError, StoreUnavailableError } from './errors.ts'
import { SupabaseStore } from './supabase-store.ts'

// The connector with its channel's credential (ADR 074) through the real stand-in: it works for
// its own channel, and a credential of another channel or a revoked one leaves it unavailable
// (so it buffers) instead of acting.

let backend: TestBackend

beforeAll(async () => {
  backend = await startBackend()
})
afterAll(async () => {
  await backend?.close()
})

async function secondChannel(): Promise<string> {
  const { rows } = await backend.db.query<{ id: string }>(
    `insert into public.channels (tenant_id, name) select tenant_id, 'Second' from public.channels where id = $1
     returning id::text`,
    [DEMO_CHANNEL_ID],
  )
  return rows[0]?.id ?? ''
}

describe('SupabaseStore with a connector credential', () => {
  it('signs in and acts for its own channel', async () => {
    const store = backend.store('own')
    expect(await store.heartbeat()).toEqual({ relinkRequested: false })
    await store.setChannelStatus({ status: 'ready' })
    expect(await store.claimOutbox(5, 30)).toEqual([])
  })

  it("is refused for another channel's id: unavailable, nothing changed", async () => {
    const other = await secondChannel()
    const store = new SupabaseStore({
      url: backend.url,
      credentials: demoConnector(backend.keys.anonKey),
      channelId: other,
      workerId: 'wrong-channel',
      logger: pino({ level: 'silent' }),
    })
    await expect(store.heartbeat()).rejects.toThrow(StoreUnavailableError)
    await expect(store.heartbeat()).rejects.toThrow(/own channel/)
    const { rows } = await backend.db.query<{ beat: string | null }>(
      'select last_heartbeat_at::text as beat from public.channels where id = $1',
      [other],
    )
    expect(rows[0]?.beat).toBeNull()
  })

  it('an issued then revoked credential signs in, then is refused', async () => {
    const admin = await backend.agent('admin')
    const issued = await admin.rpc('issue_connector_credential', { p_channel_id: DEMO_CHANNEL_ID })
    expect(issued.error).toBeNull()
    const { id, key } = issued.data as { id: string; key: string }
    const store = new SupabaseStore({
      url: backend.url,
      credentials: demoConnector(backend.keys.anonKey, key),
      channelId: DEMO_CHANNEL_ID,
      workerId: 'issued',
      logger: pino({ level: 'silent' }),
    })
    expect(await store.heartbeat()).toEqual({ relinkRequested: false })
    const revoked = await admin.rpc('revoke_connector_credential', { p_credential_id: id })
    expect(revoked.error).toBeNull()
    await expect(store.heartbeat()).rejects.toThrow(StoreUnavailableError)
    // Signing in again fails too: the credential's Auth user is gone.
    await expect(store.heartbeat()).rejects.toThrow(/sign-in failed/)
  })

  it("uploads into its own channel's chat folders only: not outgoing/, not another tenant", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relevo-credential-'))
    try {
      const file = join(dir, 'a.txt')
      await writeFile(file, 'hola')
      const { rows } = await backend.db.query<{ id: string }>(
        `insert into public.conversations (tenant_id, channel_id, wa_chat_id) values ($1, $2, 'storage@c.us')
         returning id::text`,
        [DEMO_TENANT_ID, DEMO_CHANNEL_ID],
      )
      const storage = backend.mediaStorage()
      await storage.upload(`${DEMO_TENANT_ID}/${rows[0]?.id}/m.txt`, file, 'text/plain')
      for (const path of [
        `${DEMO_TENANT_ID}/outgoing/m.txt`,
        `${crypto.randomUUID()}/${rows[0]?.id}/m.txt`,
      ]) {
        await expect(storage.upload(path, file, 'text/plain'), path).rejects.toThrow(StoreRejectedError)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
