import { DEMO_CLOUD_CHANNEL_ID } from '@relevo/testing/demo-seed'
import { describe, expect, it } from 'vitest'
import { answeredChatPerFile, CHANNEL_ID, OPS_TOKEN, TENANT_ID } from './backend.ts'

const backend = answeredChatPerFile()

const get = (path: string, token?: string) =>
  fetch(`${backend().functions.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})

describe('monitoring API under RLS', () => {
  it('answers /api/status to an admin with their tenant only', async () => {
    const response = await get('/api/status', await backend().signIn('admin@demo.relevo.test'))
    expect(response.status).toBe(200)
    const body = (await response.json()) as {
      channels: { id: string; tenant_id: string }[]
      conversations: { open: number; ai: number }
    }
    // The demo tenant's two numbers (WhatsApp Web and Cloud API), no other tenant's.
    expect(body.channels.map((c) => c.id).sort()).toEqual([CHANNEL_ID, DEMO_CLOUD_CHANNEL_ID].sort())
    expect(body.conversations).toMatchObject({ open: 1, ai: 1 })
  })

  it('leaves out a number the store removed (ADR 113)', async () => {
    const { rows } = await backend().db.query<{ id: string }>(
      `insert into public.channels (tenant_id, name, archived_at) values ($1, 'Old', now()) returning id`,
      [TENANT_ID],
    )
    const response = await get('/api/status', await backend().signIn('admin@demo.relevo.test'))
    const body = (await response.json()) as { channels: { id: string }[] }
    expect(body.channels.map((c) => c.id)).not.toContain(rows[0]?.id)
    await backend().db.query('delete from public.channels where id = $1', [rows[0]?.id])
  })

  it('lists conversations and agents to an admin', async () => {
    const token = await backend().signIn('admin@demo.relevo.test')
    const conversations = (await (await get('/api/conversations?mode=ai', token)).json()) as {
      conversations: { mode: string; tenant_id: string }[]
    }
    expect(conversations.conversations).toEqual([
      expect.objectContaining({ mode: 'ai', tenant_id: TENANT_ID }),
    ])
    const agents = (await (await get('/api/agents', token)).json()) as { agents: { email: string }[] }
    expect(agents.agents.map((a) => a.email).sort()).toEqual([
      'admin@demo.relevo.test',
      'ana@demo.relevo.test',
    ])
  })

  it('serves the compatibility form ?action=', async () => {
    const response = await get('/api/whatsapp-hybrid?action=agents', OPS_TOKEN)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { agents: unknown[] }).agents).toHaveLength(2)
  })

  it('refuses agents who are not admins (403), missing tokens (401) and forged JWTs (401)', async () => {
    expect((await get('/api/status', await backend().signIn('ana@demo.relevo.test'))).status).toBe(403)
    expect((await get('/api/status')).status).toBe(401)
    const forged = `${btoa(JSON.stringify({ alg: 'HS256' }))}.${btoa(JSON.stringify({ sub: '00000000-0000-4000-8000-000000001001', role: 'authenticated' }))}.bad`
    expect((await get('/api/status', forged)).status).toBe(401)
  })

  it('serves Prometheus metrics to the ops token only', async () => {
    const response = await get('/metrics', OPS_TOKEN)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    expect(text).toContain('relevo_messages_total{author="customer"} 1')
    expect(text).toContain('relevo_messages_total{author="ai"} 1')
    expect(text).toContain('relevo_ai_runs_total{outcome="replied"} 1')
    expect(text).toMatch(/relevo_ai_latency_ms_count 1\n/)
    expect((await get('/metrics', await backend().signIn('admin@demo.relevo.test'))).status).toBe(403)
  })
})
