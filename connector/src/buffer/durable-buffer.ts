/**
 * @module
 * A local durable buffer: an append-only JSONL file (on the session volume) holding what
 * could not reach the database — incoming messages, recorded sends, acks, deletes and edits — in arrival
 * order. Each append is fsynced before it resolves, so `kill -9` after the append loses
 * nothing. Replay is safe to repeat because every entry is idempotent in SQL
 * (ingest_message on the WhatsApp id, mark_sent, record_ack only moving forward, record_revoke and
 * record_edit on the id and the edit time).
 */
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ChangeInput, IngestInput } from '../store/message-store.ts'
import type { AckStatus } from '../whatsapp/transport.ts'

export type BufferedEntry =
  | { kind: 'ingest'; input: IngestInput }
  | { kind: 'sent'; messageId: string; waMessageId: string }
  | { kind: 'ack'; waMessageId: string; status: AckStatus }
  | { kind: 'change'; change: ChangeInput }

export class DurableBuffer {
  private readonly path: string
  private count = 0
  /** All file operations run one after another, so a replay's rewrite never loses an append. */
  private chain: Promise<unknown> = Promise.resolve()

  private constructor(path: string) {
    this.path = path
  }

  /** Opens (creating the folder) and counts what a previous run left behind. */
  static async open(path: string): Promise<DurableBuffer> {
    await mkdir(dirname(path), { recursive: true })
    const buffer = new DurableBuffer(path)
    buffer.count = (await buffer.readAll()).length
    return buffer
  }

  get depth(): number {
    return this.count
  }

  append(entry: BufferedEntry): Promise<void> {
    return this.serial(async () => {
      const file = await open(this.path, 'a')
      try {
        await file.write(`${JSON.stringify(entry)}\n`)
        await file.datasync()
      } finally {
        await file.close()
      }
      this.count += 1
    })
  }

  /** The oldest entries first. */
  peek(limit: number): Promise<BufferedEntry[]> {
    return this.serial(async () => (await this.readAll()).slice(0, limit))
  }

  /** Removes the first `n` entries (after they were replayed) with an atomic rewrite. */
  drop(n: number): Promise<void> {
    return this.serial(async () => {
      const rest = (await this.readAll()).slice(n)
      const tmp = `${this.path}.tmp`
      await writeFile(tmp, rest.map((e) => `${JSON.stringify(e)}\n`).join(''), { flush: true })
      await rename(tmp, this.path)
      this.count = rest.length
    })
  }

  private async readAll(): Promise<BufferedEntry[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    // A torn last line (crash mid-write, before fsync returned) was never acknowledged: skip it.
    const entries: BufferedEntry[] = []
    for (const line of text.split('\n')) {
      if (!line) continue
      try {
        entries.push(JSON.parse(line) as BufferedEntry)
      } catch {
        // ignore the torn tail
      }
    }
    return entries
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task)
    this.chain = run.catch(() => undefined)
    return run
  }
}
