import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { blobDigest } from '../../src/cratedb/blob-container.ts'
import { connect } from '../../src/cratedb/index.ts'
import { startStub, type StubNode } from './helpers/stub-node.ts'

// Node A redirects every blob request (307) to B, a server on another loopback port; B answers them.
let a: StubNode
let b: StubNode
const data = Buffer.from('cross-origin blob')
const digest = blobDigest(data)
const basic = `Basic ${Buffer.from('alice:S3cr3t').toString('base64')}`

beforeAll(async () => {
  b = await startStub((req, res) => {
    if (req.method === 'PUT') return void res.writeHead(201).end()
    if (req.method === 'GET') return void res.writeHead(200, { 'content-length': data.length }).end(data)
    res.writeHead(200).end()
  })
  a = await startStub((req, res) => void res.writeHead(307, { location: `${b.url.replace(/\/$/, '')}${req.url}` }).end())
})

beforeEach(() => {
  a.requests.length = 0
  b.requests.length = 0
})

afterAll(async () => {
  await a.kill()
  await b.kill()
})

describe('blob 307 redirects and credentials', () => {
  it('a redirect to an origin that is not a configured node is followed without Authorization', async () => {
    const client = connect(a.url, { username: 'alice', password: 'S3cr3t' })
    const blobs = client.blobs('images')
    expect(await blobs.put(data)).toEqual({ digest, created: true })
    expect(await blobs.get(digest)).toEqual(data)
    expect(await blobs.exists(digest)).toBe(true)
    expect(a.requests.map((r) => r.headers['authorization'])).toEqual([basic, basic, basic])
    expect(b.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'HEAD'])
    expect(b.requests.map((r) => r.headers['authorization'])).toEqual([undefined, undefined, undefined])
    await client.close()
  })

  it('a bearer token is dropped the same way', async () => {
    const client = connect(a.url, { jwtToken: 'S3cr3t.jwt' })
    expect(await client.blobs('images').get(digest)).toEqual(data)
    expect(a.requests[0]!.headers['authorization']).toBe('Bearer S3cr3t.jwt')
    expect(b.requests[0]!.headers['authorization']).toBeUndefined()
    await client.close()
  })

  it('a redirect to another configured node keeps the credentials', async () => {
    const client = connect([a.url, b.url], { username: 'alice', password: 'S3cr3t' })
    const blobs = client.blobs('images')
    await blobs.get(digest) // first pick: node A, redirected to B
    await blobs.get(digest)
    expect(b.requests.length).toBeGreaterThan(0)
    expect(b.requests.every((r) => r.headers['authorization'] === basic)).toBe(true)
    await client.close()
  })
})
