import { describe, expect, it } from 'vitest'
import { LiveRows } from './live-rows.ts'

type Row = { id: string; v: number }

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('LiveRows', () => {
  it('lets a row the feed delivered during the query win over the page, add to it, or take out of it', async () => {
    const live = new LiveRows<Row>()
    const query = deferred<Row[]>()
    const page = live.page(() => query.promise)
    live.note('a', { id: 'a', v: 2 })
    live.note('new', { id: 'new', v: 1 })
    live.note('gone', null)
    query.resolve([
      { id: 'a', v: 1 },
      { id: 'b', v: 1 },
      { id: 'gone', v: 1 },
    ])
    expect(await page).toEqual({
      rows: [
        { id: 'a', v: 2 },
        { id: 'b', v: 1 },
        { id: 'new', v: 1 },
      ],
      queried: 3,
    })
  })

  it('forgets rows once no page is on its way, and ignores rows delivered with none in flight', async () => {
    const live = new LiveRows<Row>()
    live.note('a', { id: 'a', v: 9 })
    expect((await live.page(async () => [{ id: 'a', v: 1 }])).rows).toEqual([{ id: 'a', v: 1 }])

    const query = deferred<Row[]>()
    const page = live.page(() => query.promise)
    live.note('a', { id: 'a', v: 2 })
    query.resolve([{ id: 'a', v: 1 }])
    await page
    expect((await live.page(async () => [{ id: 'a', v: 1 }])).rows).toEqual([{ id: 'a', v: 1 }])
  })

  it('keeps the rows of a page that failed out of the next one', async () => {
    const live = new LiveRows<Row>()
    const failed = live.page(async () => {
      live.note('a', { id: 'a', v: 2 })
      throw new Error('offline')
    })
    await expect(failed).rejects.toThrow('offline')
    expect((await live.page(async () => [{ id: 'a', v: 1 }])).rows).toEqual([{ id: 'a', v: 1 }])
  })
})
