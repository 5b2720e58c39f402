/** Memory of processes from /proc: RSS, and PSS (shared pages split between sharers; the realistic sum). */
import { readdir, readFile } from 'node:fs/promises'

async function kib(path: string, field: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
  return match ? Number(match[1]) : 0
}

export async function processMemoryMiB(pid: number): Promise<{ rssMiB: number; pssMiB: number }> {
  return {
    rssMiB: (await kib(`/proc/${pid}/status`, 'VmRSS')) / 1024,
    pssMiB: (await kib(`/proc/${pid}/smaps_rollup`, 'Pss')) / 1024,
  }
}

/** Sum over every process whose command line contains `marker`. */
export async function processesMemoryMiB(
  marker: string,
): Promise<{ procs: number; rssMiB: number; pssMiB: number }> {
  const total = { procs: 0, rssMiB: 0, pssMiB: 0 }
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (!cmdline.includes(marker)) continue
    const mem = await processMemoryMiB(Number(entry))
    total.procs += 1
    total.rssMiB += mem.rssMiB
    total.pssMiB += mem.pssMiB
  }
  return total
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}
