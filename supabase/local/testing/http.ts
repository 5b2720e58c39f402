/** A raw request to a stand-in's /rest/v1, as PostgREST's documentation writes them: status, headers and body text. */
export interface RawResponse {
  status: number
  headers: Headers
  text: string
  json: () => unknown
}

export function restClient(url: string, apikey: string) {
  return async function rest(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<RawResponse> {
    const response = await fetch(`${url}/rest/v1/${path}`, {
      method,
      headers: { apikey, 'Content-Type': 'application/json', ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: () => JSON.parse(text) as unknown,
    }
  }
}

/** The headers a contract case asserts, by name (absent ones as null). */
export function pick(headers: Headers, ...names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, headers.get(name)]))
}
