import { describe, expect, it } from 'vitest'
import { DeskError } from '../desk-error.ts'
import { metrics, parseJson, secretsStatus } from './json-results.ts'

const answer = {
  open_conversations: 3,
  needs_attention: 1,
  replies_by_author: { ai: 4, agent: 2 },
  handoffs_by_reason: { asked_for_person: 1 },
  takeovers: 1,
  median_first_response_seconds: { ai: 5.5 },
  messages_per_hour: [{ hour: '2026-11-25T11:00:00+00:00', author: 'customer', count: 3 }],
  failed_deliveries: 0,
  ai_tokens_per_day: [{ day: '2026-11-25T00:00:00+00:00', prompt: 120, completion: null }],
}

describe('parseJson', () => {
  it('passes an answer of the expected shape through unchanged', () => {
    expect(parseJson('dashboard_metrics', metrics, answer)).toEqual(answer)
    const status = {
      openai_api_key: true,
      shopify_access_token: false,
      ai_http_secret: false,
      ai_http_header_secret: false,
    }
    expect(parseJson('tenant_secrets_status', secretsStatus, status)).toEqual(status)
  })

  it('refuses another shape with an error that names the function, not a crash later in the screen', () => {
    const bot = { ...answer, messages_per_hour: [{ hour: 'x', author: 'bot', count: 1 }] }
    for (const wrong of [bot, { ...answer, takeovers: '1' }, null]) {
      const error = (() => {
        try {
          parseJson('dashboard_metrics', metrics, wrong)
        } catch (caught) {
          return caught
        }
      })()
      expect(error).toBeInstanceOf(DeskError)
      expect(error).toMatchObject({ code: 'unexpected_answer', retryable: false })
      expect((error as Error).message).toContain('dashboard_metrics')
    }
  })
})
