import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CrateStore } from './crate-store.ts'
import { quoteIdent, quoteLiteral } from './sql-tokenizer.ts'

/**
 * `/_blobs/<table>/<sha1>`: the table must not start with `_`, the digest is 40 lower-case hex digits
 * (https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html).
 */
export const BLOB_PATH = /^\/_blobs\/([^_/][^/]*)\/([0-9a-f]{40})$/

const RANGE = /^bytes=(\d+)-(\d*)$/

function send(res: ServerResponse, status: number, headers: Record<string, string | number> = {}, body?: Buffer | string): void {
  const length = body === undefined ? 0 : Buffer.byteLength(body)
  res.writeHead(status, { 'Content-Length': length, ...headers })
  res.end(body)
}

function getHeaders(): Record<string, string> {
  return { 'Accept-Ranges': 'bytes', Expires: 'Thu, 31 Dec 2037 23:59:59 GMT', 'Cache-Control': 'max-age=315360000' }
}

/**
 * Serves the blob API (https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html) from the store's
 * in-memory blob tables:
 * PUT → 201 created, 409 exists, 400 digest mismatch, 404 unknown table; GET → 200 with the bytes, `Range:
 * bytes=a-b` → 206 with `Content-Range`, 416 when the range starts past the end, 404 unknown digest/table;
 * HEAD → 200 with `Content-Length` / 404; DELETE → 204 / 404; other methods → 405; a path that does not match
 * {@link BLOB_PATH} → 404. Responses carry no body (as CrateDB). No 307 redirects: every node holds every blob.
 *
 * @param body the request body (PUT only).
 */
export async function handleBlobRequest(store: CrateStore, req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
  const match = BLOB_PATH.exec(path)
  if (match === null) return send(res, 404)
  const table = decodeURIComponent(match[1]!)
  const digest = match[2]!
  const method = req.method ?? 'GET'
  if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) return send(res, 405)
  if (!store.blobs.has(table)) return send(res, 404)
  switch (method) {
    case 'PUT': {
      if (store.blobs.get(table, digest) !== undefined) return send(res, 409)
      const actual = createHash('sha1').update(body).digest('hex')
      if (actual !== digest) return send(res, 400)
      store.blobs.put(table, digest, body)
      await store.run(undefined, async (wire) => {
        await store.useSession('blob', false)
        await wire.script(`INSERT INTO blob.${quoteIdent(table)} (digest, last_modified) VALUES (${quoteLiteral(digest)}, now()) ON CONFLICT (digest) DO NOTHING`)
      })
      return send(res, 201)
    }
    case 'DELETE': {
      if (!store.blobs.delete(table, digest)) return send(res, 404)
      await store.run(undefined, async (wire) => {
        await store.useSession('blob', false)
        await wire.script(`DELETE FROM blob.${quoteIdent(table)} WHERE digest = ${quoteLiteral(digest)}`)
      })
      return send(res, 204)
    }
    case 'HEAD': {
      const blob = store.blobs.get(table, digest)
      if (blob === undefined) return send(res, 404)
      res.writeHead(200, { 'Content-Length': blob.data.length, ...getHeaders() })
      res.end()
      return
    }
    default: {
      const blob = store.blobs.get(table, digest)
      if (blob === undefined) return send(res, 404)
      const range = req.headers.range
      const m = range === undefined ? null : RANGE.exec(range)
      if (m === null) return send(res, 200, getHeaders(), blob.data)
      const size = blob.data.length
      const start = Number(m[1])
      if (start > size) return send(res, 416)
      const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
      return send(res, 206, { ...getHeaders(), 'Content-Range': `bytes ${start}-${end}/${size}` }, blob.data.subarray(start, end + 1))
    }
  }
}
