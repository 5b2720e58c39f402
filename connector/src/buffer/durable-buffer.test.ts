import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type BufferedEntry, DurableBuffer } from './durable-buffer.ts'

let dir = ''
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const ack = (n: number): BufferedEntry => ({ kind: 'ack', waMessageId: `true_1@c.us_${n}`, status: 'read' })

describe('DurableBuffer', () => {
  it('keeps entries in order across a reopen (a restart) and drops replayed ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'relevo-buffer-'))
    const path = join(dir, 'nested', 'buffer.jsonl')
    const buffer = await DurableBuffer.open(path)
    await Promise.all([1, 2, 3, 4].map((n) => buffer.append(ack(n))))
    expect(buffer.depth).toBe(4)
    const reopened = await DurableBuffer.open(path)
    expect(reopened.depth).toBe(4)
    expect(await reopened.peek(2)).toEqual([ack(1), ack(2)])
    await reopened.drop(2)
    expect(await reopened.peek(10)).toEqual([ack(3), ack(4)])
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2)
  })

  it('does not lose an append that races with a drop', async () => {
    dir = await mkdtemp(join(tmpdir(), 'relevo-buffer-'))
    const buffer = await DurableBuffer.open(join(dir, 'buffer.jsonl'))
    await buffer.append(ack(1))
    await Promise.all([buffer.drop(1), buffer.append(ack(2))])
    expect(await buffer.peek(10)).toEqual([ack(2)])
  })

  it('skips a torn last line left by a crash mid-write', async () => {
    dir = await mkdtemp(join(tmpdir(), 'relevo-buffer-'))
    const path = join(dir, 'buffer.jsonl')
    await appendFile(path, `${JSON.stringify(ack(1))}\n{"kind":"ack","waMess`)
    const buffer = await DurableBuffer.open(path)
    expect(buffer.depth).toBe(1)
    expect(await buffer.peek(10)).toEqual([ack(1)])
  })
})
