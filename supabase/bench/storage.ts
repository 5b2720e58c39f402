/**
 * Storage of the local stand-in, through supabase-js over loopback with the service role: a
 * 100 MiB file (WhatsApp's document limit) uploaded from a file stream and downloaded into a hash,
 * with the process's peak RSS above the level before (client and stand-in share the process, so
 * streaming on both sides is what keeps it low); and the latency of 100 KiB uploads and signed
 * URLs. PGlite, and Postgres when RELEVO_TEST_PG_URL is set. Writes bench/results/storage.json.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type Backend, backends, startTestStandIn } from '../local/testing/stand-in.ts'

const BIG_BYTES = 100 * 1024 * 1024
const SMALL_BYTES = 100 * 1024
const SMALL_ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100)

/** Runs `fn` while sampling RSS every 10 ms; returns its duration and the peak above the start. */
async function measured(fn: () => Promise<void>): Promise<{ ms: number; peak_rss_above_start_mib: number }> {
  globalThis.gc?.()
  const start = process.memoryUsage.rss()
  let peak = start
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 10)
  const t0 = performance.now()
  try {
    await fn()
  } finally {
    clearInterval(sampler)
  }
  return {
    ms: Math.round(performance.now() - t0),
    peak_rss_above_start_mib:
      Math.round(((Math.max(peak, process.memoryUsage.rss()) - start) / 1024 / 1024) * 10) / 10,
  }
}

async function writeBigFile(dir: string): Promise<{ path: string; sha256: string }> {
  const path = join(dir, 'big.bin')
  const hash = createHash('sha256')
  const MIB = 1024 * 1024
  async function* chunks() {
    for (let i = 0; i < BIG_BYTES / MIB; i++) {
      // A new buffer each time: the write stream may still hold the previous one.
      const chunk = Buffer.alloc(MIB, i % 251)
      hash.update(chunk)
      yield chunk
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path))
  return { path, sha256: hash.digest('hex') }
}

const percentile = (sorted: number[], q: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 100) / 100

async function benchBackend(backend: Backend, big: { path: string; sha256: string }) {
  const env = await startTestStandIn(
    backend,
    "insert into storage.buckets (id, name) values ('bench', 'bench');",
    {
      webhooks: false,
    },
  )
  try {
    const bucket = env.client(env.standIn.keys.serviceRoleKey).storage.from('bench')
    const upload = await measured(async () => {
      const { error } = await bucket.upload('big.bin', createReadStream(big.path), {
        contentType: 'application/octet-stream',
      })
      if (error) throw new Error(`upload failed: ${error.message}`)
    })
    let downloaded = ''
    const download = await measured(async () => {
      const { data, error } = await bucket.download('big.bin').asStream()
      if (error || !data) throw new Error(`download failed: ${error?.message}`)
      const hash = createHash('sha256')
      for await (const chunk of Readable.fromWeb(data as never)) hash.update(chunk as Buffer)
      downloaded = hash.digest('hex')
    })
    if (downloaded !== big.sha256) throw new Error('the downloaded file differs from the uploaded one')

    const small = Buffer.alloc(SMALL_BYTES, 7)
    const uploads: number[] = []
    const signs: number[] = []
    for (let i = 0; i < SMALL_ITERATIONS; i++) {
      const t0 = performance.now()
      const { error } = await bucket.upload(`small/${i}.bin`, small, {
        contentType: 'application/octet-stream',
      })
      if (error) throw new Error(`upload failed: ${error.message}`)
      const t1 = performance.now()
      const signed = await bucket.createSignedUrl(`small/${i}.bin`, 60)
      if (signed.error) throw new Error(`sign failed: ${signed.error.message}`)
      signs.push(performance.now() - t1)
      uploads.push(t1 - t0)
    }
    uploads.sort((a, b) => a - b)
    signs.sort((a, b) => a - b)
    const result = {
      upload_100mib: { ...upload, mib_per_s: Math.round((100 / upload.ms) * 1000) },
      download_100mib: { ...download, mib_per_s: Math.round((100 / download.ms) * 1000) },
      upload_100kib: {
        iterations: SMALL_ITERATIONS,
        p50_ms: percentile(uploads, 0.5),
        p99_ms: percentile(uploads, 0.99),
      },
      sign_url: {
        iterations: SMALL_ITERATIONS,
        p50_ms: percentile(signs, 0.5),
        p99_ms: percentile(signs, 0.99),
      },
    }
    process.stdout.write(`  ${backend}: ${JSON.stringify(result)}\n`)
    return result
  } finally {
    await env.close()
  }
}

export async function runStorageBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'relevo-storage-bench-'))
  try {
    const big = await writeBigFile(dir)
    const report: Record<string, unknown> = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, loadavg_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
    }
    for (const backend of backends) report[backend] = await benchBackend(backend, big)
    const out = new URL('./results/', import.meta.url)
    await mkdir(out, { recursive: true })
    await writeFile(new URL('storage.json', out), `${JSON.stringify(report, null, 2)}\n`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
