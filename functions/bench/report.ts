/**
 * What every benchmark's report shares: where it is written and the machine it ran on. The
 * machine is shared, so the load average before and after says how much the numbers were disturbed.
 */
import { writeFile } from 'node:fs/promises'
import os from 'node:os'

/** One-minute load average, two decimals. */
export const loadAverage1m = (): number => Number(os.loadavg()[0]?.toFixed(2))

/** The fields a report opens with; call it after the runs, `loadBefore` taken before them. */
export function reportHeader(benchmark: string, loadBefore: number) {
  return {
    benchmark,
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadavg_1m_before: loadBefore,
    loadavg_1m_after: loadAverage1m(),
  }
}

/** Writes bench/results/<name>.json, two-space indented with a final newline so runs diff cleanly. */
export async function writeResult(name: string, report: unknown): Promise<void> {
  await writeFile(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(report, null, 2)}\n`)
}
