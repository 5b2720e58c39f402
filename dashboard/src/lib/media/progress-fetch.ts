/**
 * `fetch` over XMLHttpRequest, for uploads: fetch reports no upload progress in browsers (a
 * streamed request body needs HTTP/2), XMLHttpRequest does. storage-js takes it as its fetch, so
 * the request it sends is exactly the one it would send otherwise.
 */

/** Bytes sent so far and in all. */
export type OnProgress = (sent: number, total: number) => void

export function progressFetch(
  onProgress: OnProgress,
  createXhr: () => XMLHttpRequest = () => new XMLHttpRequest(),
): typeof fetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const xhr = createXhr()
      const url = input instanceof Request ? input.url : String(input)
      xhr.open(init.method ?? 'GET', url)
      for (const [name, value] of new Headers(init.headers)) xhr.setRequestHeader(name, value)
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total)
      }
      xhr.onload = () => {
        // Response refuses statuses outside 200–599; the network never gives one, a broken proxy might.
        if (xhr.status < 200 || xhr.status > 599)
          return reject(new TypeError(`Upload failed (HTTP ${xhr.status})`))
        resolve(
          new Response(xhr.responseText, {
            status: xhr.status,
            statusText: xhr.statusText,
            headers: parseHeaders(xhr.getAllResponseHeaders()),
          }),
        )
      }
      // As fetch does: a network failure is a TypeError, an abort an AbortError.
      xhr.onerror = () => reject(new TypeError('Failed to fetch'))
      xhr.onabort = () => reject(new DOMException('The upload was aborted', 'AbortError'))
      init.signal?.addEventListener('abort', () => xhr.abort(), { once: true })
      xhr.send((init.body as XMLHttpRequestBodyInit | null | undefined) ?? null)
    })
}

function parseHeaders(raw: string): Headers {
  const headers = new Headers()
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return headers
}
