/**
 * @module
 * The OpenAPI 3.1 document of the monitoring API, built from the zod schemas of its answers so
 * the document cannot drift from what the routes send. `pnpm --filter @relevo/functions gen:openapi`
 * writes it to functions/openapi/monitoring.json; GET /api/openapi.json serves it.
 */
import { z } from 'zod'
import { agentsAnswer, conversationsAnswer, errorAnswer, statusAnswer } from './monitoring-schema.ts'

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const json = (id: string) => ({ content: { 'application/json': { schema: ref(id) } } })

const errors = {
  '400': { description: 'Invalid query parameters', ...json('Error') },
  '401': { description: 'Missing or invalid bearer token', ...json('Error') },
  '403': { description: 'Not an admin (agents) or not an active agent', ...json('Error') },
  '429': { description: 'Rate limited (300 a minute per address)', ...json('Error') },
}

const tenantParam = {
  name: 'tenant_id',
  in: 'query',
  required: false,
  description: 'Ops token only: one tenant. An admin always sees their own tenant (RLS).',
  schema: { type: 'string', format: 'uuid' },
}

const conversationParams = [
  { name: 'mode', in: 'query', required: false, schema: { type: 'string', enum: ['ai', 'human'] } },
  {
    name: 'needs_attention',
    in: 'query',
    required: false,
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  {
    name: 'limit',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
]

const operation = (summary: string, answer: string, parameters: object[] = []) => ({
  get: {
    summary,
    parameters: [tenantParam, ...parameters],
    responses: { '200': { description: summary, ...json(answer) }, ...errors },
  },
})

export function monitoringOpenApi() {
  // zod names shared schemas in $defs; OpenAPI keeps them under components/schemas.
  const defs = z.toJSONSchema(z.object({ statusAnswer, conversationsAnswer, agentsAnswer, errorAnswer }), {
    target: 'draft-2020-12',
    io: 'output',
  }).$defs
  const schemas = JSON.parse(JSON.stringify(defs).replaceAll('"#/$defs/', '"#/components/schemas/')) as object
  return {
    openapi: '3.1.0',
    info: {
      title: 'Relevo monitoring API',
      version: '1',
      description:
        'Read-only state of a Relevo deployment for dashboards and existing integrations. Authorization: ' +
        'Bearer <Supabase access token of an admin> (their tenant) or Bearer <OPS_TOKEN> (every tenant).',
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/status': operation('Channels, conversations, AI and outbox health', 'StatusAnswer'),
      '/api/conversations': operation(
        'Active conversations, newest first',
        'ConversationsAnswer',
        conversationParams,
      ),
      '/api/agents': operation('Agents and who is online now', 'AgentsAnswer'),
      '/api/whatsapp-hybrid': {
        get: {
          summary: 'The same three answers by ?action=, as the original integration calls them',
          parameters: [
            {
              name: 'action',
              in: 'query',
              required: true,
              schema: { type: 'string', enum: ['status', 'conversations', 'agents'] },
            },
            tenantParam,
            ...conversationParams,
          ],
          responses: {
            '200': {
              description: 'The answer of /api/<action>',
              content: {
                'application/json': {
                  schema: { oneOf: [ref('StatusAnswer'), ref('ConversationsAnswer'), ref('AgentsAnswer')] },
                },
              },
            },
            ...errors,
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas,
    },
  }
}
