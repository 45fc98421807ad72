import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerError } from './druid-errors.ts'

/** Reads a request body (at most `max` bytes, default 16 MiB). */
export async function readBody(req: IncomingMessage, max = 16 << 20): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) throw new Error(`request body over ${max} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** JSON.parse keeping integers beyond ±(2^53-1) exact as bigint. */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, ((_k: string, v: unknown, ctx?: { source?: string }) =>
    typeof v === 'number' && !Number.isSafeInteger(v) && ctx?.source !== undefined && /^-?\d+$/.test(ctx.source) ? BigInt(ctx.source) : v) as never)
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(text)
}

/** Sends one of Druid's error envelopes. */
export function sendError(res: ServerResponse, error: ServerError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, error.body, headers)
}

/** Writes and waits for `drain` when the socket buffer is full (back-pressure). */
export function writeWithBackpressure(res: ServerResponse, text: string): Promise<void> | undefined {
  if (res.write(text)) return undefined
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
