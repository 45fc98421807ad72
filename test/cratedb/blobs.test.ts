import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BlobError, BlobLocationNotFoundError, connect, DigestNotFoundError, InvalidArgumentError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../../src/testing/cratedb/test-certificate.ts'
import { startStub, type StubNode, type StubRequest } from './helpers/stub-node.ts'

// Two nodes over one blob store. Node A holds digests starting with 8-f and redirects the others (307) to B,
// as CrateDB redirects to the node holding the blob's shard
// (https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html).
const store = new Map<string, Buffer>()
let a: StubNode
let b: StubNode
let client: CrateDBClient

function serveBlob(req: StubRequest, res: ServerResponse, redirectTo?: string): void {
  const m = /^\/_blobs\/([^/]+)\/([0-9a-f]{40})$/.exec(req.url)
  if (!m || m[1]!.startsWith('_')) return void res.writeHead(404).end()
  const [, table, digest] = m
  if (table !== 'images') return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`blobs table "${table}" not found`)
  if (redirectTo !== undefined && parseInt(digest![0]!, 16) < 8) {
    return void res.writeHead(307, { location: `${redirectTo}_blobs/${table}/${digest}` }).end()
  }
  const key = digest!
  switch (req.method) {
    case 'PUT': {
      if (createHash('sha1').update(req.body).digest('hex') !== digest) return void res.writeHead(400).end('digest mismatch')
      if (store.has(key)) return void res.writeHead(409).end()
      store.set(key, req.body)
      return void res.writeHead(201).end()
    }
    case 'GET':
    case 'HEAD': {
      const data = store.get(key)
      if (!data) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-length': data.length })
      return void res.end(req.method === 'GET' ? data : undefined)
    }
    case 'DELETE':
      return void res.writeHead(store.delete(key) ? 204 : 404).end()
  }
  res.writeHead(405).end()
}

beforeAll(async () => {
  b = await startStub((req, res) => serveBlob(req, res))
  a = await startStub((req, res) => serveBlob(req, res, b.url))
  client = connect(a.url, { username: 'blobber', password: 'pw' })
})

beforeEach(() => {
  a.requests.length = 0
  b.requests.length = 0
})

afterAll(async () => {
  await client.close()
  await a.kill()
  await b.kill()
})

function contentFor(firstHexBelow8: boolean): Buffer {
  for (let i = 0; ; i++) {
    const data = Buffer.from(`blob content ${i}`)
    const d = createHash('sha1').update(data).digest('hex')
    if ((parseInt(d[0]!, 16) < 8) === firstHexBelow8) return data
  }
}

describe('blob API (general/blobs.html, crate-python blob.py)', () => {
  it('put → created, again → not created; get, exists, delete', async () => {
    const images = client.blobs('images')
    const data = contentFor(false)
    const digest = createHash('sha1').update(data).digest('hex')
    expect(await images.put(data)).toEqual({ digest, created: true })
    expect(await images.put(data)).toEqual({ digest, created: false })
    expect(await images.exists(digest)).toBe(true)
    expect(await images.get(digest)).toEqual(data)
    expect(await images.delete(digest)).toBe(true)
    expect(await images.delete(digest)).toBe(false)
    expect(await images.exists(digest)).toBe(false)
    await expect(images.get(digest)).rejects.toBeInstanceOf(DigestNotFoundError)
    expect(a.requests[0]!.url).toBe(`/_blobs/images/${digest}`)
  })

  it('follows 307 to the node holding the blob, with the same credentials when it is a configured node', async () => {
    const both = connect([a.url, b.url], { username: 'blobber', password: 'pw' })
    const images = both.blobs('images')
    const data = contentFor(true)
    const { digest, created } = await images.put(data)
    expect(created).toBe(true)
    expect(a.requests.map((r) => r.method)).toEqual(['PUT'])
    expect(b.requests.map((r) => r.method)).toEqual(['PUT'])
    expect(b.requests[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('blobber:pw').toString('base64')}`)
    expect(b.requests[0]!.body).toEqual(data)
    expect(await images.get(digest)).toEqual(data)
    const chunks: Buffer[] = []
    for await (const c of await images.getStream(digest)) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks)).toEqual(data)
    expect(await images.delete(digest)).toBe(true)
    await both.close()
  })

  it('a Readable is streamed when the digest is given, and buffered to hash it otherwise', async () => {
    const images = client.blobs('images')
    const data = contentFor(true)
    const digest = createHash('sha1').update(data).digest('hex')
    expect(await images.put(Readable.from([data.subarray(0, 3), data.subarray(3)]), { digest })).toEqual({ digest, created: true })
    expect(b.requests.map((r) => r.method)).toEqual(['HEAD', 'PUT'])
    expect(await images.put(Readable.from([data]), { digest })).toEqual({ digest, created: false })
    await images.delete(digest)
    expect(await images.put(Readable.from([data]))).toEqual({ digest, created: true })
    await images.delete(digest)
  })

  it('errors: wrong digest, unknown table, invalid digest and table names', async () => {
    const data = contentFor(false)
    const wrong = '0'.repeat(39) + 'a'
    const err = await client.blobs('images').put(data, { digest: 'f'.repeat(40) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BlobError)
    expect(err).toMatchObject({ httpStatus: 400, table: 'images' })
    await expect(client.blobs('nope').put(data)).rejects.toBeInstanceOf(BlobLocationNotFoundError)
    await expect(client.blobs('images').get('xyz')).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(() => client.blobs('_private')).toThrow(InvalidArgumentError)
    expect(await client.blobs('images').exists(wrong)).toBe(false)
  })
})

describe('redirects that would downgrade', () => {
  it('a 307 from HTTPS to plain HTTP is refused: nothing (no credentials, no content) goes to the HTTP node', async () => {
    const secure = await startStub((req, res) => serveBlob(req, res, b.url), { https: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } })
    const tls = connect(secure.url.replace('http:', 'https:').replace('127.0.0.1', 'localhost'), { username: 'blobber', password: 'pw', caCert: TEST_TLS_CERT })
    try {
      const data = Buffer.from('redirect me')
      const digest = createHash('sha1').update(data).digest('hex')
      expect(parseInt(digest[0]!, 16)).toBeLessThan(8) // a digest node A redirects
      const error = await tls.blobs('images').put(data).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(BlobError)
      expect((error as BlobError).code).toBe('INSECURE_REDIRECT')
      expect(b.requests).toHaveLength(0)
    } finally {
      await tls.close()
      await secure.kill()
    }
  })
})
