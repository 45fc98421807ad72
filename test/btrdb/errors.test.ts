import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AmbiguousStreamError,
  AuthenticationError,
  connect,
  ConnectionError,
  errorFromGrpc,
  errorFromStatus,
  InvalidValueError,
  PermissionDeniedError,
  ServerError,
  StreamExistsError,
  StreamNotFoundError,
  type BTrDB,
} from '../../src/btrdb/index.ts'
import { startBTrDB, type LocalBTrDB } from '../../src/testing/btrdb/index.ts'

describe('BTrDB error mapping', () => {
  it('maps in-band codes to classes and keeps the code', () => {
    expect(errorFromStatus(404, 'stream does not exist', 'StreamInfo')).toBeInstanceOf(StreamNotFoundError)
    expect(errorFromStatus(417, 'same uuid', 'Create')).toBeInstanceOf(StreamExistsError)
    expect(errorFromStatus(418, 'ambiguous', 'Create')).toBeInstanceOf(AmbiguousStreamError)
    const e = errorFromStatus(413, 'invalid time range', 'RawValues')
    expect(e).toBeInstanceOf(InvalidValueError)
    expect(e.code).toBe(413)
    expect(e.message).toContain('InvalidTimeRange')
    expect(errorFromStatus(405, 'wrong endpoint', 'Insert').retryable).toBe(true)
    expect(errorFromStatus(500, 'invariant', 'Insert')).toBeInstanceOf(ServerError)
  })
  it('reads "[code] msg" gRPC details and the gRPC statuses', () => {
    const e = errorFromGrpc({ code: 2, details: '[404] stream does not exist' }, 'StreamInfo')
    expect(e).toBeInstanceOf(StreamNotFoundError)
    expect(e.code).toBe(404)
    expect(e.grpcCode).toBe(2)
    expect(errorFromGrpc({ code: 16, details: 'invalid api key' }, 'Info')).toBeInstanceOf(AuthenticationError)
    expect(errorFromGrpc({ code: 7, details: 'user does not have permission on this stream' }, 'RawValues')).toBeInstanceOf(PermissionDeniedError)
    expect(errorFromGrpc({ code: 14, details: 'failed to connect to all addresses' }, 'Info')).toBeInstanceOf(ConnectionError)
  })
})

describe.each([
  ['in-band stat', false],
  ['gRPC status', true],
])('server errors through the %s channel', (_label, grpcErrors) => {
  let server: LocalBTrDB
  let db: BTrDB
  beforeAll(async () => {
    server = await startBTrDB({ grpcErrors })
    db = await connect(server.endpoint, { env: {}, home: '/nonexistent' })
  })
  afterAll(async () => {
    db.close()
    await server.stop()
  })

  it('raises StreamNotFoundError for a missing stream, and exists() says false', async () => {
    const s = db.streamFromUuid('00000000-0000-4000-8000-000000000001')
    await expect(s.version()).rejects.toThrow(StreamNotFoundError)
    await expect(s.exists()).resolves.toBe(false)
    // a streaming RPC reports it too
    await expect(s.valueArrays()).rejects.toThrow(StreamNotFoundError)
  })
  it('raises StreamExistsError on a duplicate uuid and AmbiguousStreamError on duplicate collection+tags', async () => {
    const s = await db.create(undefined, `err/${grpcErrors}`, { name: 'a' })
    await expect(db.create(s.uuid, 'err/other', { name: 'b' })).rejects.toThrow(StreamExistsError)
    await expect(db.create(undefined, `err/${grpcErrors}`, { name: 'a' })).rejects.toThrow(AmbiguousStreamError)
  })
  it('raises the server error that arrives in the middle of a stream, after the data before it', async () => {
    const s = await db.create(undefined, `mid/${grpcErrors}`, { name: 'x' })
    const n = 12_000
    await s.insert({ times: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), values: new Float64Array(n) })
    server.faults.push({ rpc: 'RawValues', afterMessages: 1, code: 402, msg: 'context deadline exceeded' })
    let seen = 0
    const read = async (): Promise<void> => {
      for await (const _ of s.values()) seen++
    }
    await expect(read()).rejects.toMatchObject({ code: 402, rpc: 'RawValues' })
    expect(seen).toBe(5000)
    server.faults.length = 0
  })
})
