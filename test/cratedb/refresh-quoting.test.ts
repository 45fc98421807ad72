import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, InvalidArgumentError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { rowCount, sqlHandler, startStub, type StubNode } from './helpers/stub-node.ts'

let node: StubNode
let client: CrateDBClient

beforeAll(async () => {
  node = await startStub(sqlHandler(() => rowCount(1)))
  client = connect(node.url)
})

afterAll(async () => {
  await client.close()
  await node.kill()
})

describe('refresh() table names cannot add SQL', () => {
  const hostile = [
    't"; DROP TABLE users; --',
    '"t"; DROP TABLE users; --',
    'doc."t"; DROP TABLE users; --"',
    '"a"."b"."c"',
    '"unterminated',
    'a..b',
  ]
  for (const name of hostile) {
    it(JSON.stringify(name), async () => {
      node.requests.length = 0
      const err = await client.refresh(name).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(InvalidArgumentError)
      expect(node.requests).toHaveLength(0)
    })
  }

  it('quoted parts are kept exactly, with doubled quotes, and plain parts are quoted', async () => {
    node.requests.length = 0
    await client.refresh(['"my.schema"."a""b; DROP TABLE users"', 'doc.T', 'My Table'])
    expect(node.requests.map((r) => r.json?.stmt)).toEqual(['REFRESH TABLE "my.schema"."a""b; DROP TABLE users", "doc"."T", "My Table"'])
  })
})
