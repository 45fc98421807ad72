import { request, type Dispatcher } from 'undici'

// Plain HTTP helpers for the local CrateDB server suites (the project's CrateDB driver is not used on purpose):
// every assertion is about bytes on the wire as https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html
// describes them.

/** A response: status, headers, body text and the body parsed as JSON (`undefined` when it is not JSON). */
export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: any
}

/** One HTTP request with undici (`dispatcher` for a pinned connection or a TLS agent). */
export async function http(
  url: string,
  options: { method?: Dispatcher.HttpMethod; body?: string | Buffer; headers?: Record<string, string>; dispatcher?: Dispatcher } = {},
): Promise<Reply> {
  const res = await request(url, {
    method: options.method ?? 'GET',
    ...(options.body === undefined ? {} : { body: options.body }),
    headers: options.headers ?? {},
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  })
  const text = await res.body.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.statusCode, headers: res.headers, text, json }
}

/** `POST <url>_sql<query>` (query default `?types`) with a JSON body. */
export function sqlRequest(
  server: { url: string } | string,
  body: Record<string, unknown> | string,
  options: { query?: string; headers?: Record<string, string>; dispatcher?: Dispatcher } = {},
): Promise<Reply> {
  const base = typeof server === 'string' ? server : server.url
  return http(`${base}_sql${options.query ?? '?types'}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  })
}
