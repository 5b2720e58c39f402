import { DEMO_CLOUD_CHANNEL_ID, DEMO_CLOUD_NUMBER, DEMO_TENANT_ID } from '@relevo/testing/demo-seed'
import { hubSignature, inboundMessage, messagesWebhook } from '@relevo/testing/graph-api-payloads'
import { mediaFixture, sha256 } from '@relevo/testing/media-fixtures'
import { waitFor } from '@relevo/testing/wait-for'
import { createClient } from '@supabase/supabase-js'
import { describe, expect, it } from 'vitest'
import { runScheduled } from '../src/app.ts'
import { postRpc } from './agent-rpc.ts'
import { type Backend, backendPerTest } from './backend.ts'

// The WhatsApp Cloud API channel end to end (ADR 120, 121): the Graph API double plays Meta and
// the customers, the functions are served over HTTP, the stand-in runs the SQL rules.

const start = backendPerTest()

const CUSTOMER = '5215599990000'

async function messages(b: Backend, where = 'true', params: unknown[] = []) {
  const { rows } = await b.db.query<{
    id: string
    direction: string
    author: string
    type: string
    body: string
    status: string
    media: Record<string, unknown> | null
    wa_message_id: string | null
    error: string | null
    conversation_id: string
  }>(
    `select * from public.messages where channel_id = '${DEMO_CLOUD_CHANNEL_ID}' and not private and ${where}
      order by created_at`,
    params,
  )
  return rows
}

async function rpcAs(b: Backend, email: string, fn: string, args: Record<string, unknown>) {
  const response = await postRpc(b, await b.signIn(email), fn, args)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** Settles the local stack, then checks: the sender and agents run in the background. */
const settled = (b: Backend, check: () => boolean | Promise<boolean>) => async () => {
  await b.settle()
  return check()
}

async function postWebhook(b: Backend, raw: string, signature?: string) {
  return fetch(`${b.functions.url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    body: raw,
  })
}

// Each test starts its own stand-in: generous under a loaded machine.
const slow = { timeout: 300_000 }

describe('Meta webhook in', slow, () => {
  it('answers the verification challenge only for a known verify token', async () => {
    const b = await start()
    const url = (token: string) =>
      `${b.functions.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`
    const ok = await fetch(url(DEMO_CLOUD_NUMBER.verifyToken))
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444'])
    expect((await fetch(url('wrong-token'))).status).toBe(403)
  })

  it('refuses a forged, missing or replayed-over-another-body signature and stores nothing', async () => {
    const b = await start()
    const raw = JSON.stringify(
      messagesWebhook(b.graph.number, {
        contacts: [{ profile: { name: 'Eve' }, wa_id: CUSTOMER }],
        messages: [inboundMessage(CUSTOMER, 'text', { body: 'forged' })],
      }),
    )
    const other = JSON.stringify({ object: 'whatsapp_business_account', entry: [] })
    const attempts = [
      await postWebhook(b, raw),
      await postWebhook(b, raw, await hubSignature(raw, 'not-the-app-secret')),
      await postWebhook(b, raw, await hubSignature(other, DEMO_CLOUD_NUMBER.appSecret)),
      await postWebhook(b, raw, 'sha256=zz'),
    ]
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 401, 401])
    await b.settle()
    expect(await messages(b)).toEqual([])
  })

  it('stores text, location, reaction and media metadata once each, even when Meta delivers twice', async () => {
    const b = await start({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    const items = [
      inboundMessage(CUSTOMER, 'text', { body: 'Hola' }),
      inboundMessage(CUSTOMER, 'location', {
        latitude: 19.43,
        longitude: -99.13,
        name: 'Zócalo',
        address: 'CDMX',
      }),
      inboundMessage(CUSTOMER, 'image', {
        id: 'media-123',
        mime_type: 'image/jpeg',
        sha256: 'abc',
        caption: 'mira',
      }),
    ]
    const value = { contacts: [{ profile: { name: 'Juan' }, wa_id: CUSTOMER }], messages: items }
    expect((await b.graph.deliver(value)).status).toBe(200)
    expect((await b.graph.deliver(value)).status).toBe(200)
    const first = items[0]?.id
    await b.graph.deliver({
      messages: [inboundMessage(CUSTOMER, 'reaction', { message_id: first, emoji: '👍' })],
    })
    await b.settle()
    const stored = await messages(b, `direction = 'in'`)
    expect(stored.map((m) => [m.type, m.body])).toEqual([
      ['text', 'Hola'],
      ['location', 'Zócalo, CDMX'],
      ['image', 'mira'],
      ['text', '👍'],
    ])
    expect(stored[1]?.media).toMatchObject({
      waType: 'location',
      location: { latitude: 19.43, longitude: -99.13 },
    })
    expect(stored[2]?.media).toMatchObject({ waType: 'image', mediaId: 'media-123', mimetype: 'image/jpeg' })
    expect(stored[3]?.media).toMatchObject({ waType: 'reaction', reactedTo: first })
  })
})

describe('files from Cloud API customers', slow, () => {
  it('are downloaded with the number token into Storage once each, even when Meta delivers twice; a gone file fails for good', async () => {
    const b = await start({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    const photo = mediaFixture('jpeg')
    const voice = mediaFixture('voice')
    const pdf = mediaFixture('pdf')
    await b.graph.customerSendsFile(CUSTOMER, 'Juan', photo, 'mira esta')
    await b.graph.customerSendsFile(CUSTOMER, 'Juan', { ...voice, voice: true })
    await b.graph.customerSendsFile(CUSTOMER, 'Juan', pdf)
    // Meta delivers the PDF's webhook again (its own retry): still one row and one download.
    const pdfMessage = (await messages(b, `type = 'document'`))[0]
    const contacts = [{ profile: { name: 'Juan' }, wa_id: CUSTOMER }]
    const again = { id: pdfMessage?.media?.mediaId, mime_type: 'application/pdf', filename: pdf.filename }
    await b.graph.deliver({
      contacts,
      messages: [inboundMessage(CUSTOMER, 'document', again, pdfMessage?.wa_message_id ?? '')],
    })
    // A media id Meta no longer has (they live 30 days).
    const gone = { id: 'gone-1', mime_type: 'application/pdf', filename: 'old.pdf' }
    await b.graph.deliver({ contacts, messages: [inboundMessage(CUSTOMER, 'document', gone)] })
    await waitFor(
      settled(b, async () => (await messages(b, `media_status in ('pending')`)).length === 0),
      'every file fetched or failed',
      60_000,
    )
    const files = await messages(b, `type in ('image', 'audio', 'document')`)
    expect(files.map((m) => [m.type, m.body])).toEqual([
      ['image', 'mira esta'],
      ['audio', ''],
      ['document', ''],
      ['document', ''],
    ])
    const storage = createClient(b.standIn.url, b.keys.serviceRoleKey).storage.from('media')
    for (const [message, fixture] of [
      [files[0], photo],
      [files[1], voice],
      [files[2], pdf],
    ] as const) {
      expect(message?.media).toMatchObject({
        mimetype: fixture.mimetype,
        sha256: sha256(fixture.data),
        size: fixture.data.length,
      })
      const path = String(message?.media?.path)
      expect(path).toBe(
        `${DEMO_TENANT_ID}/${message?.conversation_id}/${message?.id}.${path.split('.').pop()}`,
      )
      const { data } = await storage.download(path)
      expect(sha256(Buffer.from((await data?.arrayBuffer()) ?? new ArrayBuffer(0)))).toBe(
        sha256(fixture.data),
      )
    }
    expect(files[0]?.media).toMatchObject({ waType: 'image' })
    expect(files[1]?.media).toMatchObject({ waType: 'voice' })
    expect(pdfMessage?.id).toBe(files[2]?.id)
    // Every download carried the number's token; the gone id failed once and is not retried.
    expect(b.graph.downloads.every((d) => d.authorized)).toBe(true)
    expect(b.graph.downloads.filter((d) => d.mediaId !== 'gone-1')).toHaveLength(3)
    const { rows } = await b.db.query<{ media_status: string; media_retry_at: string | null }>(
      `select media_status, media_retry_at from public.messages where media ->> 'mediaId' = 'gone-1'`,
    )
    expect(rows).toEqual([{ media_status: 'failed', media_retry_at: null }])
  })
})

describe('the AI and the agents through the Cloud API', slow, () => {
  it('the AI answers a Cloud API customer (read and typing shown while it composes); statuses move it to delivered, read, or failed with the reason', async () => {
    const b = await start()
    await b.graph.customerWrites({ from: CUSTOMER, name: 'Juan', body: '¿Tienen envíos?' })
    await waitFor(
      settled(b, () => b.graph.sent.length === 1),
      'the AI reply sent',
      30_000,
    )
    expect(b.graph.sent[0]).toMatchObject({ to: CUSTOMER, type: 'text', text: 'Hola, soy la IA' })
    // While the AI composed, the customer saw the message read and "typing…".
    const [inbound] = await messages(b, `direction = 'in'`)
    expect(b.graph.receipts).toEqual([{ messageId: inbound?.wa_message_id, typing: true }])
    const wamid = b.graph.sent[0]?.id ?? ''
    const [reply] = await messages(b, `direction = 'out'`)
    expect(reply).toMatchObject({ author: 'ai', status: 'sent', wa_message_id: wamid })
    await b.graph.reportStatus(wamid, 'read')
    await b.graph.reportStatus(wamid, 'delivered') // out of order: never moves back
    expect((await messages(b, `direction = 'out'`))[0]?.status).toBe('read')

    await b.graph.customerWrites({ from: CUSTOMER, name: 'Juan', body: 'gracias' })
    await waitFor(
      settled(b, () => b.graph.sent.length === 2),
      'the second reply sent',
      30_000,
    )
    // An agent opens the chat: a read receipt without typing; a malformed or unknown id sends nothing.
    const read = (id: string) =>
      b.signIn('ana@demo.relevo.test').then((token) =>
        fetch(`${b.functions.url}/api/cloud-api/conversations/${id}/read`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        }),
      )
    const opened = await read(inbound?.conversation_id ?? '')
    expect(await opened.json()).toEqual({ sent: true })
    expect(b.graph.receipts.at(-1)).toEqual({ messageId: expect.any(String), typing: false })
    expect((await read('not-a-uuid')).status).toBe(400)
    expect((await read('00000000-0000-4000-8000-00000000dead')).status).toBe(404)
    const second = b.graph.sent[1]?.id ?? ''
    await b.graph.reportStatus(second, 'failed', { code: 131026, title: 'Message undeliverable' })
    const failed = (await messages(b, `wa_message_id = $1`, [second]))[0]
    expect(failed).toMatchObject({ status: 'failed', error: '131026: Message undeliverable' })
  })

  it("an agent's photo and PDF go to Meta by a signed link, with caption and file name where Meta takes them", async () => {
    const b = await start({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    await b.graph.customerWrites({ from: CUSTOMER, name: 'Juan', body: 'Hola' })
    await b.settle()
    const [inbound] = await messages(b, `direction = 'in'`)
    const storage = createClient(b.standIn.url, b.keys.serviceRoleKey).storage.from('media')
    const files = [
      { fixture: mediaFixture('jpeg'), caption: 'Así se ve', path: `${DEMO_TENANT_ID}/outgoing/photo.jpg` },
      { fixture: mediaFixture('pdf'), caption: 'Tu factura', path: `${DEMO_TENANT_ID}/outgoing/factura.pdf` },
    ]
    for (const { fixture, caption, path } of files) {
      await storage.upload(path, fixture.data, { contentType: fixture.mimetype, upsert: true })
      const sent = await rpcAs(b, 'ana@demo.relevo.test', 'send_agent_message', {
        p_conversation_id: inbound?.conversation_id,
        p_body: caption,
        p_client_ref: path,
        p_media: { path, mimetype: fixture.mimetype, filename: fixture.filename },
      })
      expect(sent.status).toBe(200)
    }
    // Without a model the AI handed the chat off first (a text): the files follow it.
    const filesSent = () => b.graph.sent.filter((m) => m.media !== null)
    await waitFor(
      settled(b, () => filesSent().length === 2),
      'both files sent',
      30_000,
    )
    const [photo, pdf] = filesSent()
    expect(photo).toMatchObject({
      type: 'image',
      text: 'Así se ve',
      media: { caption: 'Así se ve', filename: null },
    })
    expect(pdf).toMatchObject({
      type: 'document',
      media: { caption: 'Tu factura', filename: 'document.pdf' },
    })
    // The link is a signed Storage URL that serves the very file.
    const fetched = await fetch(pdf?.media?.link ?? '')
    expect(sha256(Buffer.from(await fetched.arrayBuffer()))).toBe(
      sha256(files[1]?.fixture.data ?? Buffer.alloc(0)),
    )
    expect((await messages(b, `author = 'agent'`)).map((m) => [m.type, m.status])).toEqual([
      ['image', 'sent'],
      ['document', 'sent'],
    ])
  })

  it('outside the 24-hour window free text is refused and the agent sends an approved template', async () => {
    const b = await start({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    await b.graph.customerWrites({ from: CUSTOMER, name: 'Juan', body: 'Hola' })
    await b.settle()
    const conversationId = (await messages(b, `direction = 'in'`))[0]?.conversation_id
    await b.db.query(
      `update public.conversations set last_customer_message_at = now() - interval '25 hours' where id = $1`,
      [conversationId],
    )
    const refused = await rpcAs(b, 'ana@demo.relevo.test', 'send_agent_message', {
      p_conversation_id: conversationId,
      p_body: 'Hola de nuevo',
    })
    expect(refused).toMatchObject({ status: 409, body: { details: 'outside_service_window' } })
    const templates = await fetch(
      `${b.functions.url}/api/cloud-api/channels/${DEMO_CLOUD_CHANNEL_ID}/templates`,
      {
        headers: { authorization: `Bearer ${await b.signIn('ana@demo.relevo.test')}` },
      },
    )
    const list = (await templates.json()) as { templates: Array<{ name: string; parameter_count: number }> }
    expect(list.templates).toContainEqual(
      expect.objectContaining({ name: 'order_update', parameter_count: 2 }),
    )
    const sent = await rpcAs(b, 'ana@demo.relevo.test', 'send_template_message', {
      p_conversation_id: conversationId,
      p_name: 'order_update',
      p_language: 'es_MX',
      p_parameters: ['Juan', '#1001'],
      p_preview: 'Hola Juan, tu pedido #1001 va en camino.',
    })
    expect(sent.status).toBe(200)
    await waitFor(
      settled(b, () => b.graph.sent.some((m) => m.type === 'template')),
      'the template sent',
      30_000,
    )
    expect(b.graph.sent.find((m) => m.type === 'template')?.template).toEqual({
      name: 'order_update',
      language: 'es_MX',
      parameters: ['Juan', '#1001'],
    })
  })

  describe('the AI when the window closed while the model was thinking (ADR 122)', () => {
    /** The customer writes; the model answers only after the window has closed. */
    async function lateAnswer(chooseTemplate: boolean) {
      let stack: Backend | undefined
      const b = await start({
        script: [
          async () => {
            await stack?.db.query(
              `update public.conversations set last_customer_message_at = now() - interval '25 hours'
                where channel_id = $1`,
              [DEMO_CLOUD_CHANNEL_ID],
            )
            return { content: 'Texto libre que ya no puede salir' }
          },
        ],
      })
      stack = b
      if (chooseTemplate) {
        const chosen = await rpcAs(b, 'admin@demo.relevo.test', 'set_window_template', {
          p_channel_id: DEMO_CLOUD_CHANNEL_ID,
          p_name: 'order_update',
          p_language: 'es_MX',
          p_parameters: ['{customer_name}', 'de hoy'],
          p_body: 'Hola {{1}}, tu pedido {{2}} va en camino.',
        })
        expect(chosen.status).toBe(200)
      }
      await b.graph.customerWrites({ from: CUSTOMER, name: 'Juan', body: '¿Y mi pedido?' })
      const run = async () =>
        (
          await b.db.query<{ outcome: string; reason: string | null }>(
            `select r.outcome, r.reason from public.ai_runs r join public.conversations c on c.id = r.conversation_id
              where c.channel_id = $1 and r.reason is distinct from 'claimed'`,
            [DEMO_CLOUD_CHANNEL_ID],
          )
        ).rows
      await waitFor(
        settled(b, async () => (await run()).length === 1),
        'the AI run finished',
        30_000,
      )
      // A sweep that finds nothing unanswered sends nothing more.
      await runScheduled(b.env, b.deps)
      await b.settle()
      return { b, run: (await run())[0] }
    }

    it("sends the number's chosen template, once, with the customer's name, and never the text", async () => {
      const { b, run } = await lateAnswer(true)
      expect(run).toEqual({ outcome: 'replied', reason: 'outside_service_window: template order_update' })
      expect(b.graph.sent).toEqual([
        expect.objectContaining({
          to: CUSTOMER,
          type: 'template',
          template: { name: 'order_update', language: 'es_MX', parameters: ['Juan', 'de hoy'] },
        }),
      ])
      const out = await messages(b, `direction = 'out'`)
      expect(out.map((m) => [m.author, m.body, m.status])).toEqual([
        ['ai', 'Hola Juan, tu pedido de hoy va en camino.', 'sent'],
      ])
    })

    it('without a chosen template hands off with the reason and sends nothing', async () => {
      const { b, run } = await lateAnswer(false)
      expect(run).toEqual({ outcome: 'handoff', reason: 'outside_service_window' })
      expect(b.graph.sent).toEqual([])
      const { rows } = await b.db.query<{ mode: string; attention_reason: string }>(
        'select mode, attention_reason from public.conversations where channel_id = $1',
        [DEMO_CLOUD_CHANNEL_ID],
      )
      expect(rows).toEqual([{ mode: 'human', attention_reason: 'outside_service_window' }])
    })
  })

  it('a revoked token puts the number in error (an alert for the desk) and keeps the message for later', async () => {
    const b = await start({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    await b.graph.customerWrites({ from: CUSTOMER, name: 'Juan', body: 'Hola' })
    await b.settle()
    b.graph.sent.length = 0
    b.graph.revokeToken()
    const conversationId = (await messages(b, `direction = 'in'`))[0]?.conversation_id
    await rpcAs(b, 'ana@demo.relevo.test', 'send_agent_message', {
      p_conversation_id: conversationId,
      p_body: 'Hola',
    })
    const channelStatus = async () =>
      (
        await b.db.query<{ status: string }>('select status from public.channels where id = $1', [
          DEMO_CLOUD_CHANNEL_ID,
        ])
      ).rows[0]?.status
    await waitFor(
      async () =>
        (await channelStatus()) === 'error' &&
        (await messages(b, `author = 'agent'`))[0]?.status === 'queued',
      'the channel in error and the message back in the queue',
      30_000,
    )
    const audit = await b.db.query(`select 1 from public.audit_log where action = 'channel_error'`)
    expect(audit.rows).toHaveLength(1)
    const pending = await messages(b, `author = 'agent'`)
    expect(pending[0]?.status).toBe('queued')
    expect(pending[0]?.error).toMatch(/^token_invalid \(190/)
    const test = await fetch(`${b.functions.url}/api/cloud-api/channels/${DEMO_CLOUD_CHANNEL_ID}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await b.signIn('admin@demo.relevo.test')}` },
    })
    expect(test.status).toBe(409)
  })

  it('the Test button reads the display name and quality rating', async () => {
    const b = await start()
    const test = await fetch(`${b.functions.url}/api/cloud-api/channels/${DEMO_CLOUD_CHANNEL_ID}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await b.signIn('admin@demo.relevo.test')}` },
    })
    expect(await test.json()).toEqual({
      display_phone_number: '15550000001',
      verified_name: 'Demo Cloud API',
      quality_rating: 'GREEN',
    })
    const agentTry = await fetch(`${b.functions.url}/api/cloud-api/channels/${DEMO_CLOUD_CHANNEL_ID}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await b.signIn('ana@demo.relevo.test')}` },
    })
    expect(agentTry.status).toBe(403)
  })
})

describe('outbound pacing', { timeout: 300_000 }, () => {
  it('a burst is sent at the number rate, none lost or sent twice; a dropped webhook is swept', async () => {
    const rate = 10
    const b = await start({ env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } })
    await b.db.query('update public.cloud_api_channels set messages_per_second = $1', [rate])
    await b.graph.customerWrites({ from: CUSTOMER, name: 'Juan', body: 'Hola' })
    await b.settle()
    b.graph.sent.length = 0 // the handoff's fallback text
    const conversationId = (await messages(b, `direction = 'in'`))[0]?.conversation_id
    // 40 queued at once, as one insert (the database webhook still fires for each row).
    await b.db.query(
      `insert into public.messages (tenant_id, channel_id, conversation_id, direction, author, body, status, next_attempt_at)
       select c.tenant_id, c.channel_id, c.id, 'out', 'agent', 'burst ' || n, 'queued', now()
       from public.conversations c, generate_series(1, 40) n where c.id = $1`,
      [conversationId],
    )
    await waitFor(
      settled(b, () => b.graph.sent.length >= 40),
      'the burst sent',
      240_000,
    )
    const bodies = b.graph.sent.map((m) => m.text)
    expect(bodies).toHaveLength(40)
    expect(new Set(bodies).size).toBe(40)
    const times = b.graph.sent.map((m) => m.at).sort((x, y) => x - y)
    const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))
    expect(busiestSecond).toBeLessThanOrEqual(rate + 1)
    const report = await runScheduled(b.env, b.deps)
    expect(report.cloudSenders).toBe(0)
  })
})
