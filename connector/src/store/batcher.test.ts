import { describe, expect, it } from 'vitest'
import { Batcher } from './batcher.ts'

/** A send that records each batch and answers when the test says so. */
function controlledSend() {
  const batches: number[][] = []
  const answers: Array<(results: Array<string | Error>) => void> = []
  const fails: Array<(error: Error) => void> = []
  const send = (inputs: number[]) => {
    batches.push(inputs)
    return new Promise<Array<string | Error>>((resolve, reject) => {
      answers.push(resolve)
      fails.push(reject)
    })
  }
  return { send, batches, answers, fails }
}

/** Lets answered batches settle and the next flush (deferred to the end of a turn) happen. */
async function turn() {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('Batcher', () => {
  it('sends calls of one turn together, and what arrives while requests are out in the next batch', async () => {
    const s = controlledSend()
    const batcher = new Batcher(s.send, { maxBatch: 10, maxInFlight: 1 })
    const first = [1, 2].map((n) => batcher.add(n))
    await turn()
    expect(s.batches).toEqual([[1, 2]])
    const later = [3, 4, 5].map((n) => batcher.add(n))
    await turn()
    expect(s.batches).toHaveLength(1)
    s.answers[0]?.(['r1', 'r2'])
    expect(await Promise.all(first)).toEqual(['r1', 'r2'])
    await turn()
    expect(s.batches[1]).toEqual([3, 4, 5])
    s.answers[1]?.(['r3', 'r4', 'r5'])
    expect(await Promise.all(later)).toEqual(['r3', 'r4', 'r5'])
  })

  it('caps batch size and requests in flight', async () => {
    const s = controlledSend()
    const batcher = new Batcher(s.send, { maxBatch: 2, maxInFlight: 2 })
    const calls = [1, 2, 3, 4, 5].map((n) => batcher.add(n))
    await turn()
    expect(s.batches).toEqual([
      [1, 2],
      [3, 4],
    ])
    s.answers[0]?.(['a', 'b'])
    await turn()
    expect(s.batches[2]).toEqual([5])
    s.answers[1]?.(['c', 'd'])
    s.answers[2]?.(['e'])
    expect(await Promise.all(calls)).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('rejects only the call whose result is an error, and every call of a batch that failed', async () => {
    const s = controlledSend()
    const batcher = new Batcher(s.send, { maxBatch: 10, maxInFlight: 1 })
    const ok = batcher.add(1)
    const bad = batcher.add(2)
    await turn()
    s.answers[0]?.(['fine', new Error('rejected element')])
    await expect(ok).resolves.toBe('fine')
    await expect(bad).rejects.toThrow('rejected element')
    const lost = [batcher.add(3), batcher.add(4)]
    await turn()
    s.fails[1]?.(new Error('unreachable'))
    for (const call of lost) await expect(call).rejects.toThrow('unreachable')
  })

  it('rejects the whole batch when the answer does not have one result per call', async () => {
    const s = controlledSend()
    const batcher = new Batcher(s.send, { maxBatch: 10, maxInFlight: 1 })
    const calls = [batcher.add(1), batcher.add(2)]
    await turn()
    s.answers[0]?.(['only one'])
    for (const call of calls) await expect(call).rejects.toThrow('1 results for 2 inputs')
  })
})
