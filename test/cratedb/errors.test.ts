import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connect,
  CrateDBError,
  DatabaseError,
  IntegrityError,
  NotSupportedError,
  ProgrammingError,
  ProtocolError,
  type CrateDBClient,
} from '../../src/cratedb/index.ts'
import { familyOf } from '../../src/cratedb/response-errors.ts'
import { DialectryError } from '../../src/core/errors.ts'
import { startStub, untag, type StubNode } from './helpers/stub-node.ts'

const answers: Record<string, { status: number; body: string; type?: string }> = {
  dup: { status: 409, body: '{"error":{"message":"DuplicateKeyException[A document with the same primary key exists already]","code":4091}}' },
  olddup: { status: 400, body: '{"error":{"message":"SQLActionException[DuplicateKeyException[A document with the same primary key exists already]]","code":4000}}' },
  unknown: { status: 404, body: '{"error":{"message":"RelationUnknown[Relation \'doc.t\' unknown]","code":4041}}' },
  syntax: { status: 400, body: '{"error":{"message":"ParsingException[line 1:1: mismatched input \'SELEC\']","code":4000}}' },
  unsupported: { status: 400, body: '{"error":{"message":"UnsupportedFeatureException[Bulk operations for statements that return result sets is not supported]","code":4004}}' },
  killed: { status: 500, body: '{"error":{"message":"JobKilledException[Job killed]","code":5005}}' },
  shards: { status: 500, body: '{"error":{"message":"UnavailableShardsException[...]","code":5002}}' },
  busy: { status: 429, body: '', type: 'text/plain' },
  html: { status: 200, body: '<html>proxy login</html>', type: 'text/html' },
  text500: { status: 500, body: 'java.lang.NullPointerException\n\tat ...', type: 'text/plain' },
}

let node: StubNode
let client: CrateDBClient

beforeAll(async () => {
  node = await startStub((req, res) => {
    const a = answers[untag(req.json?.stmt ?? '')]!
    res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' })
    res.end(a.body)
  })
  client = connect(node.url)
})

afterAll(async () => {
  await client.close()
  await node.kill()
})

const fail = (stmt: string): Promise<unknown> => client.execute(stmt).then(() => 'resolved', (e: unknown) => e)

describe('error mapping (http.html#http-error-handling, crate-python _raise_for_status)', () => {
  it('4091 duplicate key is an IntegrityError with code and status', async () => {
    const err = await fail('dup')
    expect(err).toBeInstanceOf(IntegrityError)
    expect(err).toBeInstanceOf(DatabaseError)
    expect(err).toBeInstanceOf(CrateDBError)
    expect(err).toBeInstanceOf(DialectryError)
    expect(err).toMatchObject({ code: 4091, httpStatus: 409, retryable: false, node: node.url })
    expect((err as IntegrityError).serverMessage).toBe('DuplicateKeyException[A document with the same primary key exists already]')
    expect((err as Error).name).toBe('IntegrityError')
  })

  it('4004 is a NotSupportedError, still a ProgrammingError', async () => {
    const err = await fail('unsupported')
    expect(err).toBeInstanceOf(NotSupportedError)
    expect(err).toBeInstanceOf(ProgrammingError)
    expect(err).toMatchObject({ code: 4004, httpStatus: 400, name: 'NotSupportedError' })
  })

  it('DuplicateKeyException text from old servers is an IntegrityError too', async () => {
    expect(await fail('olddup')).toBeInstanceOf(IntegrityError)
  })

  it('4xxx codes are ProgrammingErrors', async () => {
    expect(await fail('unknown')).toMatchObject({ code: 4041, httpStatus: 404, constructor: ProgrammingError })
    expect(await fail('syntax')).toMatchObject({ code: 4000, httpStatus: 400, constructor: ProgrammingError })
  })

  it('5xxx codes are DatabaseErrors; unavailable shards are retryable', async () => {
    const killed = await fail('killed')
    expect(killed).toMatchObject({ code: 5005, constructor: DatabaseError, retryable: false })
    expect(await fail('shards')).toMatchObject({ code: 5002, retryable: true })
  })

  it('non-JSON error bodies keep the HTTP status', async () => {
    expect(await fail('busy')).toMatchObject({ code: 'HTTP_429', httpStatus: 429, retryable: true })
    const err = await fail('text500')
    expect(err).toMatchObject({ code: 'HTTP_500', httpStatus: 500 })
    expect((err as Error).message).toContain('java.lang.NullPointerException')
  })

  it('a 200 that is not JSON is a ProtocolError', async () => {
    expect(await fail('html')).toBeInstanceOf(ProtocolError)
  })

  it('code families', () => {
    expect([4091, 40411, 5030, 4000, 40000].map(familyOf)).toEqual([409, 404, 503, 400, 400])
  })
})
