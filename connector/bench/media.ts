/**
 * Media benchmark → bench/results/connector-media.json: ten 10 MB files arriving at once at the
 * real connector process (src/main.ts, simulator transport) against the stand-in (its own
 * process, on real Postgres when reachable, with its Storage API). Measured per file: delivered
 * (the simulator accepted it) → stored (row marked stored, which happens only after the upload
 * finished), and the connector process's RSS sampled every 10 ms, peak minus idle. Three rounds,
 * one process. The simulated phone's part runs inside the connector process too: decoding each
 * 13 MB JSON body (base64) is counted in its RSS, so the peak is also split by phase.
 */
import { randomBytes } from 'node:crypto'
import { spawnConnector } from '@relevo/testing/connector-process'
import { startBenchBackend } from './backend.ts'
import { percentile, processMemoryMiB } from './memory.ts'
import { machine, round, writeResults } from './report.ts'

const FILES = Number(process.env.BENCH_MEDIA_FILES ?? 10)
const SIZE_MB = Number(process.env.BENCH_MEDIA_MB ?? 10)
const ROUNDS = Number(process.env.BENCH_MEDIA_ROUNDS ?? 3)

const backend = await startBenchBackend()
const connector = await spawnConnector({
  supabaseUrl: backend.url,
  auth: { serviceRoleKey: backend.keys.serviceRoleKey },
  logLevel: 'warn',
  env: { OUTBOX_POLL_MS: '60000' },
})
try {
  const pid = connector.child.pid ?? 0
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const idle = await processMemoryMiB(pid)
  // Two phases per round: until every file was accepted (the simulated phone's JSON decoding
  // dominates), then until every file is stored (the connector's media flow alone).
  const peak = { delivering: idle.rssMiB, storing: idle.rssMiB }
  let phase: keyof typeof peak = 'delivering'
  let acceptedRss = 0
  const storingAboveAccepted: number[] = []
  const sampler = setInterval(() => {
    void processMemoryMiB(pid).then((m) => {
      peak[phase] = Math.max(peak[phase], m.rssMiB)
    })
  }, 10)
  const latencies: number[] = []
  const roundSeconds: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    // Different bytes per file (so nothing deduplicates), one chat per file.
    const bodies = Array.from({ length: FILES }, (_, i) =>
      JSON.stringify({
        from: `52188${r}${String(i).padStart(7, '0')}`,
        name: 'Bench',
        media: {
          mimetype: 'video/mp4',
          filename: `bench-${r}-${i}.mp4`,
          data: randomBytes(SIZE_MB * 1_048_576).toString('base64'),
        },
      }),
    )
    const deliveredAt = new Map<string, number>()
    const t0 = performance.now()
    await Promise.all(
      bodies.map(async (body) => {
        const response = await fetch(`${connector.url}/simulator/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        const { waMessageId } = (await response.json()) as { waMessageId: string }
        deliveredAt.set(waMessageId, performance.now())
      }),
    )
    acceptedRss = (await processMemoryMiB(pid)).rssMiB
    phase = 'storing'
    const storingPeakBefore = peak.storing
    peak.storing = acceptedRss
    const storedAt = new Map<string, number>()
    const deadline = Date.now() + 300_000
    while (storedAt.size < FILES) {
      if (Date.now() > deadline)
        throw new Error(`only ${storedAt.size} of ${FILES} files stored after 5 minutes`)
      const { rows } = await backend.db.query<{ wa_message_id: string }>(
        `select wa_message_id from public.messages where wa_message_id = any($1::text[]) and media_status = 'stored'`,
        [[...deliveredAt.keys()]],
      )
      for (const row of rows)
        if (!storedAt.has(row.wa_message_id)) storedAt.set(row.wa_message_id, performance.now())
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    roundSeconds.push(round((performance.now() - t0) / 1000))
    storingAboveAccepted.push(round(peak.storing - acceptedRss))
    peak.storing = Math.max(peak.storing, storingPeakBefore)
    phase = 'delivering'
    for (const [id, at] of storedAt) latencies.push(at - (deliveredAt.get(id) ?? at))
  }
  clearInterval(sampler)
  const sorted = latencies.sort((a, b) => a - b)
  const results = {
    at: new Date().toISOString(),
    machine: machine(),
    backend: backend.kind,
    files: FILES,
    fileMiB: SIZE_MB,
    rounds: ROUNDS,
    roundSeconds,
    deliveredToStoredMs: {
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
    },
    connectorRss: {
      idleMiB: round(idle.rssMiB),
      peakMiB: round(Math.max(peak.delivering, peak.storing)),
      peakAboveIdleMiB: round(Math.max(peak.delivering, peak.storing) - idle.rssMiB),
      peakWhileDeliveringAboveIdleMiB: round(peak.delivering - idle.rssMiB),
      /** Per round: the highest RSS while storing, minus the RSS when the last file had been accepted. */
      storingPeakAboveAcceptedMiB: storingAboveAccepted,
    },
  }
  await writeResults('connector-media.json', results)
} finally {
  await connector.stop()
  await backend.close()
}
