/**
 * What the benchmarks share about reporting: percentiles of timed samples, the machine the
 * figures were measured on, and where each writes its numbers (bench/results/<name>.json).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import type { Queryable } from '../src/db/index.ts'

/** The `p` quantile (0–1) of ascending `sorted` samples, nearest rank, rounded to `digits` decimals. */
export function percentile(sorted: number[], p: number, digits = 2): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(digits))
}

/** p50, p95 and max of `samples` (sorted in place), rounded to `digits` decimals. */
export function spread(samples: number[], digits = 2): { p50: number; p95: number; max: number } {
  samples.sort((a, b) => a - b)
  return {
    p50: percentile(samples, 0.5, digits),
    p95: percentile(samples, 0.95, digits),
    max: percentile(samples, 1, digits),
  }
}

/**
 * The machine and database a run was measured on. The load average says how busy the (shared)
 * machine was while the statements ran; `engine` names the database kind where a bench runs on either.
 */
export async function machine(db: Queryable, engine?: string) {
  const { rows } = await db.query<{ server_version: string }>('show server_version')
  return {
    cpus: os.cpus().length,
    node: process.version,
    ...(engine ? { engine } : {}),
    postgres: rows[0]?.server_version,
    load_average: os.loadavg().map((l) => Number(l.toFixed(1))),
  }
}

/** Writes `report` as bench/results/<name>.json. */
export async function writeResult(name: string, report: unknown): Promise<void> {
  await mkdir(new URL('./results/', import.meta.url), { recursive: true })
  await writeFile(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(report, null, 2)}\n`)
}
