import { describe, expect, it } from 'vitest'
import { ADMIN, CHANNEL, useRig } from './harness.ts'

// Metrics follow a scripted conversation live; alerts fire when a chat needs a person or the
// number drops; the app is installable (manifest + icons).
const rig = useRig()

const number = (text: string | null) => Number((text ?? '').replace(/\D/g, ''))

describe('metrics', () => {
  it('move live after a scripted conversation: open chats, AI share, handoff reasons, tokens, chart', async () => {
    const page = await rig.pageAs(ADMIN, { path: '/metrics' })
    const chart = page.getByTestId('chart')
    await chart.waitFor()
    const openBefore = number(await page.getByTestId('metric-open').locator('.n').textContent())
    const totalBefore = Number(await chart.getAttribute('data-total'))
    await expect(page.getByTestId('metric-ai-share').locator('.n').textContent()).resolves.toBe('—')

    const ask = await rig.customerWrites('5215511110000', 'Metric Customer', 'Do you ship to Monterrey?')
    await rig.aiReplies(ask, 'Yes, in 2 days.', [])
    await rig.db.query(
      `update public.ai_runs set prompt_tokens = 1200, completion_tokens = 80 where conversation_id = $1`,
      [ask.conversationId],
    )
    // The connector sends it (a queued AI reply would be cancelled by the handoff and not count).
    await rig.db.query(`update public.messages set status = 'sent' where author = 'ai'`)
    await rig.customerWrites('5215511110000', 'Metric Customer', 'I want a person')
    await rig.aiHandsOff(ask.conversationId, 'asked for a person')

    await page
      .getByTestId('metric-open')
      .locator('.n')
      .filter({ hasText: String(openBefore + 1) })
      .waitFor()
    // Two customer messages, the AI reply and the fallback text queued by the handoff.
    await page.locator(`[data-testid="chart"][data-total="${totalBefore + 4}"]`).waitFor()
    await page.getByTestId('metric-ai-share').locator('.n').filter({ hasText: '100%' }).waitFor()
    await page.getByTestId('handoff-reason').filter({ hasText: 'asked for a person' }).waitFor()
    await page.getByText('1200 prompt · 80 completion').waitFor()
    await expect(page.getByTestId('metric-attention').locator('.n').textContent()).resolves.toBe('1')

    // A week's view draws days, not hours.
    await page.getByRole('button', { name: '7 days' }).click()
    await page.getByRole('heading', { name: 'Messages per day' }).waitFor()
    await expect(page.locator('[data-testid="chart"] g').count()).resolves.toBe(8)
  })
})

describe('alerts', () => {
  it('a notification and a tone when a chat needs a person or the number drops; the count in the tab title', async () => {
    const page = await rig.newPage('en')
    await page.context().grantPermissions(['notifications'], { origin: rig.site.url })
    // Spies around the real browser APIs: they record, then call through.
    await page.addInitScript(() => {
      const w = window as unknown as { __notes: string[]; __tones: number }
      w.__notes = []
      w.__tones = 0
      window.Notification = new Proxy(window.Notification, {
        construct(target, args: [string, NotificationOptions?]) {
          w.__notes.push(args[1]?.body ?? '')
          return Reflect.construct(target, args)
        },
      })
      const create = AudioContext.prototype.createOscillator
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.__tones++
        return create.call(this)
      }
    })
    await rig.db.query(`update public.conversations set needs_attention = false`)
    await rig.signIn(page, ADMIN)
    const bell = page.getByRole('button', { name: 'Turn on alerts' })
    await bell.click()
    await page.getByRole('button', { name: 'Alerts on' }).and(page.locator('[aria-pressed="true"]')).waitFor()

    const ask = await rig.customerWrites('5215522220000', 'Alert Customer', 'Need help')
    await rig.aiHandsOff(ask.conversationId, 'asked for a person')
    await page.waitForFunction(() =>
      (window as unknown as { __notes: string[] }).__notes.includes('Alert Customer needs a person'),
    )
    await page.waitForFunction(() => document.title.startsWith('⚠ 1 · '))
    expect(await page.evaluate(() => (window as unknown as { __tones: number }).__tones)).toBeGreaterThan(0)

    await rig.db.query(`update public.channels set status = 'disconnected' where id = $1`, [CHANNEL])
    await page.waitForFunction(() =>
      (window as unknown as { __notes: string[] }).__notes.some((n) => n.startsWith('WhatsApp Disconnected')),
    )
    // Still needing a person is not a new alert: one notification for the chat, one for the number.
    await rig.db.query(`update public.conversations set customer_name = 'Alert Renamed' where id = $1`, [
      ask.conversationId,
    ])
    await page.getByTestId('conversation-row').filter({ hasText: 'Alert Renamed' }).waitFor()
    expect(await page.evaluate(() => (window as unknown as { __notes: string[] }).__notes.length)).toBe(2)
  })

  it('is installable: manifest with icons, linked from the page', async () => {
    const res = await fetch(`${rig.site.url}/manifest.webmanifest`)
    const manifest = (await res.json()) as { start_url: string; display: string; icons: { src: string }[] }
    expect(manifest.display).toBe('standalone')
    expect(manifest.start_url).toBe('/inbox')
    for (const icon of manifest.icons) {
      const file = await fetch(`${rig.site.url}${icon.src}`)
      expect(file.headers.get('content-type')).toMatch(/^image\//)
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(300)
    }
    const page = await rig.newPage('en')
    await page.goto(`${rig.site.url}/sign-in`)
    await expect(page.locator('link[rel="manifest"]').getAttribute('href')).resolves.toBe(
      '/manifest.webmanifest',
    )
  })
})
