import { createClient } from '@supabase/supabase-js'
import { afterEach, describe, expect, it } from 'vitest'
import { runScheduled } from '../src/app.ts'
import { type Backend, CHANNEL_ID, startBackend, TENANT_ID } from './backend.ts'

let b: Backend | undefined
afterEach(async () => {
  await b?.close()
  b = undefined
})

const tick = (backend: Backend) => runScheduled(backend.env, backend.deps)

describe('scheduled sweeper against the real SQL', () => {
  it('hands a chat to a person when its AI run was abandoned mid-way (Worker evicted)', async () => {
    b = await startBackend()
    await b.db.query(`delete from private.webhook_config where name = 'incoming_message'`)
    const { messageId, conversationId } = await b.ingest('hola')
    await b.db.query(
      `insert into public.ai_runs (tenant_id, conversation_id, trigger_message_id, provider, outcome, reason, created_at)
       values ($1, $2, $3, 'openai', 'skipped', 'claimed', now() - interval '10 minutes')`,
      [TENANT_ID, conversationId, messageId],
    )
    expect(await tick(b)).toMatchObject({ abandoned: 1, woken: 0, errors: [] })
    const { rows: conv } = await b.db.query<{ mode: string; attention_reason: string }>(
      'select mode, attention_reason from public.conversations where id = $1',
      [conversationId],
    )
    expect(conv[0]).toEqual({ mode: 'human', attention_reason: 'ai_run_abandoned' })
    const { rows: runs } = await b.db.query<{ outcome: string; reason: string }>(
      'select outcome, reason from public.ai_runs where conversation_id = $1',
      [conversationId],
    )
    expect(runs).toEqual([{ outcome: 'failed', reason: 'ai_run_abandoned' }])
    expect((await tick(b)).abandoned).toBe(0)
  })

  it('marks a channel with a stale heartbeat disconnected, and leaves fresh ones alone', async () => {
    b = await startBackend()
    await b.db.query(
      `update public.channels set status = 'ready', last_heartbeat_at = now() - interval '10 minutes' where id = $1`,
      [CHANNEL_ID],
    )
    expect(await tick(b)).toMatchObject({ staleChannels: 1, errors: [] })
    const { rows } = await b.db.query<{ status: string }>(
      'select status from public.channels where id = $1',
      [CHANNEL_ID],
    )
    expect(rows[0]?.status).toBe('disconnected')
    await b.db.query(`update public.channels set status = 'ready', last_heartbeat_at = now() where id = $1`, [
      CHANNEL_ID,
    ])
    expect((await tick(b)).staleChannels).toBe(0)
  })

  it("removes the files of messages deleted for everyone and past the tenant's retention", async () => {
    b = await startBackend()
    const media = createClient(b.standIn.url, b.keys.serviceRoleKey).storage.from('media')
    const withFile = async (ageDays: number) => {
      const { messageId, conversationId } = (await b?.ingest('foto')) ?? { messageId: '', conversationId: '' }
      const path = `${TENANT_ID}/${conversationId}/${messageId}.png`
      const upload = await media.upload(path, Buffer.from('png bytes'), { contentType: 'image/png' })
      expect(upload.error).toBeNull()
      await b?.db.query(
        `update public.messages set type = 'image', media = $2, media_status = 'stored',
           created_at = now() - make_interval(days => $3) where id = $1`,
        [messageId, { path, mimetype: 'image/png', size: 9 }, ageDays],
      )
      return { messageId, path }
    }
    const deleted = await withFile(0)
    const old = await withFile(40)
    const kept = await withFile(2)
    await b.db.query(
      'select public.record_revoke(channel_id, wa_message_id) from public.messages where id = $1',
      [deleted.messageId],
    )
    await b.db.query('update public.tenants set media_retention_days = 30 where id = $1', [TENANT_ID])

    expect(await tick(b)).toMatchObject({ mediaExpired: 1, mediaRemoved: 2, errors: [] })
    for (const gone of [deleted, old]) {
      expect((await media.download(gone.path)).error, gone.path).toMatchObject({ statusCode: '404' })
    }
    expect((await media.download(kept.path)).error).toBeNull()
    const { rows } = await b.db.query<{ media_status: string }>(
      'select media_status from public.messages where id = $1',
      [old.messageId],
    )
    expect(rows[0]?.media_status).toBe('expired')
    expect(await tick(b)).toMatchObject({ mediaExpired: 0, mediaRemoved: 0 })
  })

  it("returns an offline agent's chats to the queue and assigns them to an online agent (ADR 095)", async () => {
    b = await startBackend()
    const { conversationId } = await b.ingest('quiero un humano')
    await b.settle() // keyword handoff: human mode, nobody online, so it waits
    const { rows: agents } = await b.db.query<{ user_id: string }>(
      'select user_id from public.agents where tenant_id = $1 and active order by user_id limit 2',
      [TENANT_ID],
    )
    const [away, here] = agents.map((a) => a.user_id)
    expect(here).toBeDefined()
    await b.db.query(
      `update public.agents set last_seen_at = now() - interval '30 minutes' where user_id = $1`,
      [away],
    )
    await b.db.query('update public.conversations set assigned_agent_id = $2 where id = $1', [
      conversationId,
      away,
    ])
    await b.db.query('update public.agents set last_seen_at = now() where user_id = $1', [here])
    expect(await tick(b)).toMatchObject({ requeued: 1, assigned: 1, errors: [] })
    const { rows } = await b.db.query<{ assigned_agent_id: string }>(
      'select assigned_agent_id from public.conversations where id = $1',
      [conversationId],
    )
    expect(rows[0]?.assigned_agent_id).toBe(here)
  })

  it('auto-returns an idle human chat to the AI, which then answers the waiting customer', async () => {
    b = await startBackend({ script: [{ content: 'Ya estoy de vuelta' }] })
    const { conversationId } = await b.ingest('quiero un humano')
    await b.settle() // keyword handoff: human mode, fallback queued
    await b.ingest('¿sigue alguien ahí?')
    await b.settle() // human mode: no AI run
    await b.db.query('update public.tenants set auto_return_minutes = 1 where id = $1', [TENANT_ID])
    await b.db.query(
      `update public.conversations set mode_changed_at = now() - interval '5 minutes',
         last_agent_activity_at = now() - interval '5 minutes' where id = $1`,
      [conversationId],
    )
    expect(await tick(b)).toMatchObject({ autoReturned: 1, errors: [] })
    await b.settle() // switch_to_ai re-dispatched the unanswered message's webhook
    const { rows } = await b.db.query<{ author: string; body: string }>(
      `select author, body from public.messages where conversation_id = $1 and direction = 'out' and not private
       order by created_at`,
      [conversationId],
    )
    expect(rows.map((r) => r.author)).toEqual(['system', 'ai'])
    expect(rows[1]?.body).toBe('Ya estoy de vuelta')
  })
})
