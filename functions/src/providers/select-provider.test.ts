import { MAPPING_PRESETS } from '@relevo/supabase/coordinator-mapping'
import { describe, expect, it } from 'vitest'
import { readConfig } from '../config/config.ts'
import type { Conversation, TenantSecrets, TenantSettings } from '../pipeline/types.ts'
import { coordinatorOptions, selectProvider } from './select-provider.ts'

const tenant: TenantSettings = {
  id: 't1',
  name: 'Demo Store',
  aiProvider: 'openai',
  aiModel: 'gpt-4o-mini',
  aiHttpUrl: null,
  aiHttpMapping: null,
  systemPrompt: '',
  language: 'es',
  debounceSeconds: 0,
  contextMessages: 20,
  handoffKeywords: [],
  fallbackText: 'Un momento',
  shopifyShopDomain: null,
  aiAcceptsImages: true,
  transcriptionModel: 'gpt-4o-mini-transcribe',
}
const noSecrets: TenantSecrets = {
  openaiApiKey: null,
  shopifyAccessToken: null,
  aiHttpSecret: null,
  aiHttpHeaderSecret: null,
}
const conversation: Conversation = {
  id: 'c1',
  tenantId: 't1',
  channelId: 'ch1',
  mode: 'ai',
  status: 'open',
  customerName: null,
  customerPhone: null,
}

function modelFor(
  aiModel: string,
  env: Record<string, string>,
  secrets = noSecrets,
): string | null | undefined {
  const config = readConfig({ SUPABASE_URL: 'http://127.0.0.1:54321', ...env })
  return selectProvider({ tenant: { ...tenant, aiModel }, secrets, conversation }, config)?.model
}

describe('selectProvider model', () => {
  it("on the deployment's key, a model off the allow-list falls back to the first allowed one", () => {
    const env = { OPENAI_API_KEY: 'sk-deployment', OPENAI_ALLOWED_MODELS: 'gpt-4o-mini, gpt-4.1-mini' }
    expect(modelFor('gpt-4.1-mini', env)).toBe('gpt-4.1-mini')
    expect(modelFor('o1-pro', env)).toBe('gpt-4o-mini')
    // The default list is the schema's default model only.
    expect(modelFor('o1-pro', { OPENAI_API_KEY: 'sk-deployment' })).toBe('gpt-4o-mini')
    expect(modelFor('o1-pro', { ...env, OPENAI_MODEL: 'local-model' })).toBe('local-model')
  })

  it("with the tenant's own key, the tenant's model is used", () => {
    const own = { ...noSecrets, openaiApiKey: 'sk-tenant' }
    expect(modelFor('o1-pro', { OPENAI_API_KEY: 'sk-deployment' }, own)).toBe('o1-pro')
  })
})

describe('coordinatorOptions (ADR 115)', () => {
  const config = readConfig({ SUPABASE_URL: 'http://127.0.0.1:54321' })
  const url = 'https://coord.example/ai'

  it("requires the signing secret for Relevo's v1 contract, not for a custom mapping", () => {
    expect(coordinatorOptions({ aiHttpUrl: url, aiHttpMapping: null }, noSecrets, config)).toBeNull()
    const v1 = coordinatorOptions(
      { aiHttpUrl: url, aiHttpMapping: null },
      { ...noSecrets, aiHttpSecret: 'sign' },
      config,
    )
    expect(v1?.mapping).toEqual(MAPPING_PRESETS.relevo_v1)
    const plain = coordinatorOptions(
      { aiHttpUrl: url, aiHttpMapping: MAPPING_PRESETS.plain },
      noSecrets,
      config,
    )
    expect(plain).toMatchObject({ url, mapping: MAPPING_PRESETS.plain, secret: null })
  })

  it('is not configured without a URL, whatever the mapping', () => {
    expect(
      coordinatorOptions({ aiHttpUrl: null, aiHttpMapping: MAPPING_PRESETS.plain }, noSecrets, config),
    ).toBeNull()
  })
})
