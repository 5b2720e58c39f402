/**
 * @module
 * Builds the tenant's provider from its settings, its secrets and the deployment's env. Returns
 * null when the AI is "not configured" (openai without any key, http without a URL or the tenant's
 * coordinator secret): the pipeline then hands every chat to a person with the fallback text.
 */
import { MAPPING_PRESETS } from '@relevo/supabase/coordinator-mapping'
import type { Config } from '../config/config.ts'
import type { ProviderRequest } from '../pipeline/decide.ts'
import type { Transcriber } from '../pipeline/media.ts'
import type { AiProvider } from '../pipeline/provider.ts'
import type { TenantSecrets, TenantSettings } from '../pipeline/types.ts'
import { handoffTool } from '../tools/handoff-tool.ts'
import { labelTool } from '../tools/label-tool.ts'
import { productImageTool } from '../tools/product-image-tool.ts'
import { shopifyAdminFor } from '../tools/shopify/shopify-for-tenant.ts'
import { shopifyTools } from '../tools/shopify/shopify-tools.ts'
import type { CoordinatorOptions } from './coordinator-client.ts'
import { createHttpProvider } from './http-provider.ts'
import { createOpenAiProvider } from './openai-provider.ts'
import { createOpenAiTranscriber } from './openai-transcriber.ts'

/**
 * The model a tenant gets on the deployment's key. OPENAI_MODEL wins (a local OpenAI-compatible
 * server serves one model whatever the tenant row says); otherwise the tenant's pick if it is on
 * OPENAI_ALLOWED_MODELS, else the first allowed model, so a tenant cannot run up the operator's
 * bill with a costly model. A tenant's own key uses the tenant's model.
 */
export function deploymentModel(tenantModel: string, config: Config): string {
  if (config.OPENAI_MODEL) return config.OPENAI_MODEL
  const allowed = config.OPENAI_ALLOWED_MODELS
  return allowed.includes(tenantModel) ? tenantModel : (allowed[0] ?? tenantModel)
}

export function selectProvider(
  request: ProviderRequest,
  config: Config,
  outbound?: typeof fetch,
): AiProvider | null {
  const { tenant, secrets, conversation } = request
  if (tenant.aiProvider === 'http') {
    const options = coordinatorOptions(tenant, secrets, config, outbound)
    return options ? createHttpProvider(options) : null
  }
  const apiKey = openAiKey(secrets, config)
  if (!apiKey) return null
  const model = secrets.openaiApiKey ? tenant.aiModel : deploymentModel(tenant.aiModel, config)
  const admin = shopifyAdminFor(tenant.id, tenant.shopifyShopDomain, secrets, config)
  const labels = tenant.aiLabels ?? []
  // Shared by this run's product tools and show_product_image (the only images it may send).
  const offeredImages = new Set<string>()
  const tools = [
    ...(admin
      ? [
          ...shopifyTools({
            admin,
            customerPhone: conversation.customerPhone,
            checkout: config.SHOPIFY_CHECKOUT,
            offeredImages,
          }),
          productImageTool(offeredImages),
        ]
      : []),
    ...(labels.length > 0 && request.setLabel ? [labelTool(labels, request.setLabel)] : []),
    handoffTool,
  ]
  return createOpenAiProvider({ ...clientOptions(apiKey, config, outbound), model, tools })
}

/**
 * How to call the tenant's coordinator, or null when it is not configured. The tenant's own
 * secret signs its requests (no deployment-wide secret goes to a tenant's URL); Relevo's v1
 * contract requires it (ADR 073), a custom mapping may authenticate by a header instead (ADR 115).
 */
export function coordinatorOptions(
  tenant: Pick<TenantSettings, 'aiHttpUrl' | 'aiHttpMapping'>,
  secrets: TenantSecrets,
  config: Config,
  outbound?: typeof fetch,
): CoordinatorOptions | null {
  if (!tenant.aiHttpUrl || (!tenant.aiHttpMapping && !secrets.aiHttpSecret)) return null
  return {
    url: tenant.aiHttpUrl,
    mapping: tenant.aiHttpMapping ?? MAPPING_PRESETS.relevo_v1,
    secret: secrets.aiHttpSecret,
    headerSecret: secrets.aiHttpHeaderSecret,
    allowPrivate: config.RELEVO_ALLOW_PRIVATE_URLS,
    timeoutMs: config.AI_HTTP_TIMEOUT_MS,
    ...(outbound ? { fetch: outbound } : {}),
  }
}

/**
 * The tenant's speech-to-text for voice notes (ADR 081): the OpenAI-compatible server the chat
 * model uses, whatever the tenant's chat provider; null without a key or a base URL. With the
 * deployment's key OPENAI_TRANSCRIPTION_MODEL wins (a local server serves one model).
 */
export function selectTranscriber(
  request: Pick<ProviderRequest, 'tenant' | 'secrets'>,
  config: Config,
  outbound?: typeof fetch,
): Transcriber | null {
  const apiKey = openAiKey(request.secrets, config)
  if (!apiKey) return null
  const model = request.secrets.openaiApiKey
    ? request.tenant.transcriptionModel
    : (config.OPENAI_TRANSCRIPTION_MODEL ?? request.tenant.transcriptionModel)
  // One attempt within the run's media budget: a slow transcription costs the reply nothing.
  return createOpenAiTranscriber({ ...clientOptions(apiKey, config, outbound), maxRetries: 0, model })
}

/**
 * A self-hosted OpenAI-compatible server (OPENAI_BASE_URL) usually needs no key, but the SDK
 * insists on one: any placeholder will do there. Without a key and a base URL: not configured.
 */
function openAiKey(secrets: ProviderRequest['secrets'], config: Config): string | undefined {
  return (
    secrets.openaiApiKey ?? config.OPENAI_API_KEY ?? (config.OPENAI_BASE_URL ? 'no-key-needed' : undefined)
  )
}

function clientOptions(apiKey: string, config: Config, outbound?: typeof fetch) {
  return {
    apiKey,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    maxRetries: config.OPENAI_MAX_RETRIES,
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    ...(outbound ? { fetch: outbound } : {}),
  }
}
