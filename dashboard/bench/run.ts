// pnpm --filter @relevo/dashboard bench: the dashboard benchmark, measured in Debian Chromium
// against the stand-in over PGlite. Writes bench/results/dashboard.json.
import { writeFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import buildOnce from '../e2e/global-setup.ts'
import { ADMIN, startRig } from '../e2e/harness.ts'
import { measureLongThread } from './long-thread.ts'
import { seedVolume } from './seed-volume.ts'

const SAMPLES = 30
const OPEN_SAMPLES = 15

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN }
}

/** Records when the first conversation row is attached, relative to navigation start. */
function recordFirstRow() {
  new MutationObserver((_m, observer) => {
    if (document.querySelector('[data-testid="conversation-row"]')) {
      ;(window as unknown as { firstRowAt: number }).firstRowAt = performance.now()
      observer.disconnect()
    }
  }).observe(document, { childList: true, subtree: true })
}

async function loadInbox(page: Page, site: string): Promise<{ firstRowAt: number; dataAt: number }> {
  await page.goto(`${site}/inbox`)
  await page.getByTestId('conversation-row').first().waitFor()
  return page.evaluate(() => {
    const data = performance
      .getEntriesByType('resource')
      .find((e) => e.name.includes('/rest/v1/conversations?')) as PerformanceResourceTiming | undefined
    return {
      firstRowAt: (window as unknown as { firstRowAt: number }).firstRowAt,
      dataAt: data?.responseEnd ?? Number.NaN,
    }
  })
}

await buildOnce()
const rig = await startRig()
try {
  const seedStart = performance.now()
  const { bigChatId } = await seedVolume(rig.db)
  const seedMs = Math.round(performance.now() - seedStart)
  const viewport = { width: 1280, height: 800 }
  const page = await rig.newPage('en', viewport)
  await page.addInitScript(recordFirstRow)
  await rig.signIn(page, ADMIN)

  // Cold: a new browser profile each time, signed in but with nothing cached (the app's files are
  // downloaded and compiled): JS boot, session, queries, render.
  const session = await page.context().storageState()
  const env = await page.evaluate(() => (window as unknown as { __RELEVO_ENV__: unknown }).__RELEVO_ENV__)
  const coldLoad: number[] = []
  for (let i = 0; i < 5; i++) {
    const context = await rig.browser.newContext({ locale: 'en', viewport, storageState: session })
    await context.addInitScript((e) => {
      ;(window as unknown as { __RELEVO_ENV__: unknown }).__RELEVO_ENV__ = e
    }, env)
    await context.addInitScript(recordFirstRow)
    const fresh = await context.newPage()
    coldLoad.push((await loadInbox(fresh, rig.site.url)).firstRowAt)
    await context.close()
  }

  // Reopened: the same browser loads the page again, with the app's files in its cache as the static
  // hosts serve them (e2e/static-server.ts). Render: conversations response → first row.
  const reload: number[] = []
  const renderAfterData: number[] = []
  for (let i = 0; i < 5; i++) {
    const timing = await loadInbox(page, rig.site.url)
    reload.push(timing.firstRowAt)
    renderAfterData.push(timing.firstRowAt - timing.dataAt)
  }

  // Filter switch: click → DOM updated and two frames painted, timed inside the page.
  const filterSwitch: number[] = []
  for (let i = 0; i < 10; i++) {
    for (const filter of ['mine', 'attention', 'ai', 'all']) {
      filterSwitch.push(
        await page.evaluate(async (f) => {
          const t0 = performance.now()
          document.querySelector<HTMLButtonElement>(`[data-filter="${f}"]`)?.click()
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
          return performance.now() - t0
        }, filter),
      )
    }
  }

  // Opening the 5,000-message chat, from a click in the list to its newest row on screen (the
  // thread is windowed: it renders the rows near the viewport, not the page of 50), and the part of
  // that after the messages response: the thread's render, apart from the query's round trip. The
  // click comes a second after the first row, once the feed has joined and its catch-up refresh
  // (500 chats, labels) is done: a click in the same frame as that refresh timed the refresh too.
  const openChat: number[] = []
  const threadRenderAfterData: number[] = []
  for (let i = 0; i < OPEN_SAMPLES; i++) {
    await page.goto(`${rig.site.url}/inbox`)
    await page.getByTestId('conversation-row').first().waitFor()
    await page.waitForTimeout(1_000)
    const timing = await page.evaluate(async (id) => {
      performance.clearResourceTimings()
      const t0 = performance.now()
      document.querySelector<HTMLAnchorElement>(`a[data-conversation-id="${id}"]`)?.click()
      while (
        ![...document.querySelectorAll('[data-testid="message"] .body')].some(
          (b) => b.textContent === 'Línea 5000 del chat grande',
        )
      ) {
        await new Promise((r) => requestAnimationFrame(r))
      }
      const shownAt = performance.now()
      const data = performance
        .getEntriesByType('resource')
        .find((e) => e.name.includes('/rest/v1/messages?')) as PerformanceResourceTiming | undefined
      return { open: shownAt - t0, render: shownAt - (data?.responseEnd ?? Number.NaN) }
    }, bigChatId)
    openChat.push(timing.open)
    threadRenderAfterData.push(timing.render)
  }
  const thread = await measureLongThread(page)

  // Database insert → visible in the open chat: the ingest RPC is timed from before the call.
  await page.evaluate(() => {
    const seen: Record<string, number> = {}
    ;(window as unknown as { seen: Record<string, number> }).seen = seen
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="message"] .body')) {
        const text = el.textContent ?? ''
        if (text.startsWith('bench ') && !(text in seen)) seen[text] = Date.now()
      }
    }).observe(document.body, { childList: true, subtree: true })
  })
  const insertToVisible: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const body = `bench ${i}`
    const t0 = Date.now()
    await rig.customerWrites('5215500000001', 'Cliente 1', body)
    await page.waitForFunction((b) => (window as unknown as { seen: Record<string, number> }).seen[b], body)
    const at = await page.evaluate(
      (b) => (window as unknown as { seen: Record<string, number> }).seen[b] ?? 0,
      body,
    )
    insertToVisible.push(at - t0)
  }

  const result = {
    measuredAt: new Date().toISOString(),
    environment: {
      chromium: rig.browser.version(),
      backend: 'stand-in over PGlite (in memory)',
      node: process.version,
    },
    volume: { conversations: 10_000, labels: 8, messages: 200_000, bigChat: 5_000, seedMs, inboxLoads: 500 },
    targets: {
      inboxFirstRenderMs: 300,
      filterSwitchMs: 300,
      openChatMs: 200,
      thread5000RenderAfterDataMs: 100,
      insertToVisibleP50Ms: 150,
    },
    inboxColdLoadToFirstRowMs: stats(coldLoad),
    inboxReloadToFirstRowMs: stats(reload),
    inboxRenderAfterDataMs: stats(renderAfterData),
    filterSwitchMs: stats(filterSwitch),
    openChat5000Ms: stats(openChat),
    thread5000RenderAfterDataMs: stats(threadRenderAfterData),
    thread5000: {
      loaded: thread.loaded,
      rowsInDom: thread.rowsInDom,
      scrollStepMs: stats(thread.scrollStep),
      jumpToLatestMs: stats(thread.jump),
    },
    insertToVisibleMs: stats(insertToVisible),
  }
  const path = new URL('./results/dashboard.json', import.meta.url)
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`)
  console.log(JSON.stringify(result, null, 2))
} finally {
  await rig.close()
}
