import { describe, expect, it } from 'vitest'
import { progressFetch } from './progress-fetch.ts'

/** An XMLHttpRequest double (the members progressFetch uses): records the request, plays scripted events. */
class FakeXhr {
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown
  status = 0
  statusText = ''
  responseText = ''
  upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  open(method: string, url: string) {
    this.method = method
    this.url = url
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value
  }
  send(body: unknown) {
    this.body = body
  }
  abort() {
    this.onabort?.()
  }
  getAllResponseHeaders() {
    return 'content-type: application/json\r\nx-thing: a: b\r\n'
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total } as ProgressEvent)
  }
  answer(status: number, text: string) {
    this.status = status
    this.responseText = text
    this.onload?.()
  }
}

describe('progressFetch', () => {
  it('sends the request as given, reports progress, and answers a Response', async () => {
    const xhr = new FakeXhr()
    const seen: number[][] = []
    const fetcher = progressFetch(
      (sent, total) => seen.push([sent, total]),
      () => xhr as unknown as XMLHttpRequest,
    )
    const body = new FormData()
    const pending = fetcher('http://s/storage/v1/object/media/t/outgoing/a.png', {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'x-upsert': 'false' },
      body,
    })
    expect(xhr).toMatchObject({
      method: 'POST',
      url: 'http://s/storage/v1/object/media/t/outgoing/a.png',
      body,
    })
    expect(xhr.headers).toEqual({ authorization: 'Bearer x', 'x-upsert': 'false' })
    xhr.progress(50, 200)
    xhr.progress(200, 200)
    xhr.answer(200, '{"Key":"media/t/outgoing/a.png"}')
    const response = await pending
    expect(seen).toEqual([
      [50, 200],
      [200, 200],
    ])
    expect(response.status).toBe(200)
    expect(response.headers.get('x-thing')).toBe('a: b')
    await expect(response.json()).resolves.toEqual({ Key: 'media/t/outgoing/a.png' })
  })

  it('passes error answers through and fails like fetch on network errors and aborts', async () => {
    const xhr = new FakeXhr()
    const refused = progressFetch(
      () => {},
      () => xhr as unknown as XMLHttpRequest,
    )('http://s/x', { method: 'POST' })
    xhr.answer(400, '{"statusCode":"413"}')
    expect((await refused).ok).toBe(false)

    const broken = new FakeXhr()
    const failing = progressFetch(
      () => {},
      () => broken as unknown as XMLHttpRequest,
    )('http://s/x')
    broken.onerror?.()
    await expect(failing).rejects.toBeInstanceOf(TypeError)

    const aborted = new FakeXhr()
    const controller = new AbortController()
    const cancelled = progressFetch(
      () => {},
      () => aborted as unknown as XMLHttpRequest,
    )('http://s/x', { signal: controller.signal })
    controller.abort()
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' })
  })
})
