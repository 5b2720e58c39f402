/**
 * How a benchmark reports: figures rounded to two places, the machine they were measured on
 * (load included: a busy machine explains slow numbers), and the JSON written to
 * bench/results/<file> and printed.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'

export const round = (n: number) => Math.round(n * 100) / 100

export function machine() {
  return { cpus: cpus().length, node: process.version, loadAverage1mAtStart: round(loadavg()[0] ?? 0) }
}

export async function writeResults(file: string, results: object): Promise<void> {
  const out = new URL('./results/', import.meta.url)
  await mkdir(out, { recursive: true })
  await writeFile(new URL(file, out), `${JSON.stringify(results, null, 2)}\n`)
  console.log(JSON.stringify(results, null, 2))
}
