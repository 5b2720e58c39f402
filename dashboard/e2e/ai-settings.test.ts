import type { FunctionsProcess } from '@relevo/testing/functions-process'
import { ECHO_PROMPT_TOKENS, type OpenAiDouble, startOpenAiDouble } from '@relevo/testing/openai-echo-double'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routeIncomingMessages, startRigFunctions } from './functions.ts'
import { ADMIN, useRig } from './harness.ts'
import { saveSettings } from './settings-page.ts'

// A settings change takes effect on the next AI reply, through the real chain: the stand-in's
// database webhook → the functions under wrangler dev → an OpenAI-compatible double.
const rig = useRig({ webhooks: true })
let ai: OpenAiDouble
let functions: FunctionsProcess

beforeAll(async () => {
  ai = await startOpenAiDouble()
  functions = await startRigFunctions(rig, {
    OPENAI_API_KEY: 'sk-e2e-not-a-real-key',
    OPENAI_BASE_URL: ai.baseUrl,
    // On the deployment's key a tenant may pick only these (the admin below switches to the second).
    OPENAI_ALLOWED_MODELS: 'gpt-4o-mini,gpt-relevo-e2e',
  })
  await routeIncomingMessages(rig, functions)
}, 240_000)

afterAll(async () => {
  await functions?.stop()
  await ai?.close()
})

const aiMessage = (page: Page, body: string) =>
  page.locator('[data-testid="message"][data-author="ai"]').filter({ hasText: body })

describe('settings → the next AI reply', () => {
  it('the AI answers with the prompt and model the admin just saved', async () => {
    const page = await rig.pageAs(ADMIN)
    // Before: the seed's settings (model gpt-4o-mini, the Spanish prompt).
    const before = await rig.customerWrites('5215566661111', 'Iris Mora', 'Is the shop open today?')
    await page.goto(`${rig.site.url}/inbox/${before.conversationId}`)
    await aiMessage(page, 'IA: Is the shop open today?').waitFor()
    const first = ai.requests.find((r) => JSON.stringify(r.messages).includes('Is the shop open today?'))
    expect(first?.model).toBe('gpt-4o-mini')
    expect(JSON.stringify(first?.messages[0])).not.toContain('Rosa')

    await page.goto(`${rig.site.url}/settings`)
    await page.getByLabel('Model', { exact: true }).fill('gpt-relevo-e2e')
    await page
      .getByLabel('Instructions for the AI (system prompt)')
      .fill('You are Rosa from Demo Store. Be brief.')
    await page.getByLabel('Wait before answering (seconds)').fill('0')
    await saveSettings(page)

    const { conversationId } = await rig.customerWrites(
      '5215566660000',
      'Nora Vega',
      'Do you have red sneakers?',
    )
    await page.goto(`${rig.site.url}/inbox/${conversationId}`)
    await aiMessage(page, 'IA: Do you have red sneakers?').waitFor()

    const request = ai.requests.find((r) => JSON.stringify(r.messages).includes('Do you have red sneakers?'))
    expect(request?.model).toBe('gpt-relevo-e2e')
    expect(JSON.stringify(request?.messages[0])).toContain('You are Rosa from Demo Store. Be brief.')
    const { rows } = await rig.db.query<{ model: string; prompt_tokens: number }>(
      `select model, prompt_tokens from public.ai_runs where conversation_id = $1 and outcome = 'replied'`,
      [conversationId],
    )
    expect(rows).toEqual([{ model: 'gpt-relevo-e2e', prompt_tokens: ECHO_PROMPT_TOKENS }])
  })
})
