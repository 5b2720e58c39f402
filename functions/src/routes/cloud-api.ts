/**
 * @module
 * The dashboard's Cloud API calls (agent JWT): `POST /api/cloud-api/channels/:id/test` (admins: the
 * Graph API's display name and quality rating for the number, stored for the Connection screen)
 * `GET /api/cloud-api/channels/:id/templates` (the number's approved templates for the desk) and
 * `POST /api/cloud-api/conversations/:id/read` (an agent opened the chat: the customer's phone
 * shows it read). The channel or conversation must be readable by the caller (RLS); the token is
 * read with the service role and never returned.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { check } from '../adapters/postgrest.ts'
import { type CloudChannel, GraphApiError } from '../cloud-api/ports.ts'
import { sendReadReceipt } from '../cloud-api/read-receipt.ts'
import { sendOutcome } from '../cloud-api/send-outcome.ts'
import { type AuthEnv, requireCaller } from '../http/auth.ts'
import { AuthError, InputError, RelevoError } from '../shared/errors.ts'
import { type AppDeps, type Services, services } from '../wiring/services.ts'

const channelId = z.uuid()
const conversationId = z.uuid()

export function cloudApiRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>()
  const agent = requireCaller({ admin: false, ops: false, supabaseFetch: deps.supabaseFetch })
  const admin = requireCaller({ admin: true, ops: false, supabaseFetch: deps.supabaseFetch })

  async function channelFor(c: {
    env: AuthEnv['Bindings']
    var: AuthEnv['Variables']
    req: { param(n: 'id'): string }
  }) {
    const caller = c.var.caller
    if (caller.kind !== 'agent')
      throw new AuthError('agent_required', 'Agent token required', { status: 403 })
    const id = channelId.safeParse(c.req.param('id'))
    if (!id.success) throw new InputError('invalid_channel_id', 'The channel id is a UUID')
    // Read as the caller first: RLS hides other tenants' numbers.
    const visible = check(
      'load Cloud API channel',
      await caller.db.from('cloud_api_channels').select('channel_id').eq('channel_id', id.data).maybeSingle(),
    )
    const svc = services(c.env, deps)
    const channel = visible ? await svc.cloudStore.channel(id.data) : null
    if (!channel)
      throw new RelevoError('channel_not_found', 'No Cloud API channel with that id in your tenant', {
        status: 404,
      })
    return { svc, channel }
  }

  app.post('/channels/:id/test', admin, async (c) => {
    const { svc, channel } = await channelFor(c)
    const info = await graphCall(svc, channel, (graph) => graph.numberInfo())
    await svc.cloudStore.recordCheck(channel.channelId, info)
    return c.json({
      display_phone_number: info.displayPhoneNumber,
      verified_name: info.verifiedName,
      quality_rating: info.qualityRating,
    })
  })

  app.get('/channels/:id/templates', agent, async (c) => {
    const { svc, channel } = await channelFor(c)
    const templates = await graphCall(svc, channel, (graph) => graph.templates())
    return c.json({
      templates: templates
        .filter((t) => t.status === 'APPROVED')
        .map((t) => ({
          name: t.name,
          language: t.language,
          category: t.category,
          body: t.body,
          parameter_count: t.parameterCount,
        })),
    })
  })

  // Best effort like WhatsApp's own blue ticks: `sent: false` on a WhatsApp Web number (its
  // connector marks the chat seen) or when Meta refused; the desk never waits on it.
  app.post('/conversations/:id/read', agent, async (c) => {
    const id = conversationId.safeParse(c.req.param('id'))
    if (!id.success) throw new InputError('invalid_conversation_id', 'The conversation id is a UUID')
    const visible = check(
      'load conversation',
      await c.var.caller.db.from('conversations').select('id').eq('id', id.data).maybeSingle(),
    )
    if (!visible)
      throw new RelevoError('conversation_not_found', 'No conversation with that id in your tenant', {
        status: 404,
      })
    const svc = services(c.env, deps)
    return c.json({ sent: await sendReadReceipt(svc, id.data, false) })
  })
  return app
}

/** A Graph API call for the dashboard: Meta's refusal becomes a 409 that says why; 190 also flags the number. */
async function graphCall<T>(
  svc: Services,
  channel: CloudChannel,
  call: (graph: ReturnType<Services['graphFor']>) => Promise<T>,
) {
  try {
    return await call(svc.graphFor(channel))
  } catch (error) {
    if (!(error instanceof GraphApiError)) throw error
    const outcome = sendOutcome(error)
    if (outcome.kind === 'channel_error')
      await svc.cloudStore.setChannelError(channel.channelId, outcome.error)
    throw new RelevoError('graph_api_refused', `Meta's Graph API refused: ${error.code} ${error.title}`, {
      status: 409,
      hint:
        outcome.kind === 'channel_error'
          ? 'Save a new access token (a System User token with whatsapp_business_messaging and whatsapp_business_management)'
          : 'Check the phone number id and WhatsApp Business Account id',
      cause: error,
    })
  }
}
