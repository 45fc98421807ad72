import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, ProgrammingError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { sendJson, startStub, untag, type StubNode } from './helpers/stub-node.ts'

let node: StubNode
let client: CrateDBClient

// A stub bulk INSERT with a primary key: duplicates fail per item. `shape` picks how the failure is reported.
const stored = new Set<unknown>()
let shape: '5.10' | '4.2' | 'legacy' = '5.10'

beforeAll(async () => {
  node = await startStub((req, res) => {
    const stmt = untag(req.json?.stmt ?? '')
    if (stmt.startsWith('INSERT INTO short_answer')) {
      return sendJson(res, 200, { cols: [], duration: 1, results: (req.json!.bulk_args ?? []).slice(1).map(() => ({ rowcount: 1 })) })
    }
    if (stmt.startsWith('INSERT INTO odd_entries')) {
      return sendJson(res, 200, { cols: [], duration: 1, results: [{ rowcount: 1 }, {}, 'x', { error: null }, { rowcount: null, error_message: null }] })
    }
    if (stmt.startsWith('INSERT INTO missing_col')) {
      return sendJson(res, 404, { error: { message: 'ColumnUnknownException[Column nope unknown]', code: 4043 } })
    }
    let perShardErrors = 0
    const results = (req.json!.bulk_args ?? []).map((args) => {
      const id = args[0]
      if (stored.has(id)) {
        if (shape === '4.2') return { rowcount: -2 }
        if (shape === 'legacy') return { rowcount: -2, error_message: 'DuplicateKeyException[A document with the same primary key exists already]' }
        // 5.10+: only the first 10 errors per shard carry details (one shard here)
        return ++perShardErrors <= 10 ? { rowcount: -2, error: { code: 4091, message: 'DuplicateKeyException[A document with the same primary key exists already]' } } : { rowcount: -2 }
      }
      stored.add(id)
      return { rowcount: 1 }
    })
    sendJson(res, 200, { cols: [], duration: 3.5, results })
  })
  client = connect(node.url)
})

afterAll(async () => {
  await client.close()
  await node.kill()
})

describe('executeMany (http.html#http-bulk-errors)', () => {
  it('an answer without one result per row is an error, not a partial success', async () => {
    const error = await client.executeMany('INSERT INTO short_answer (id) VALUES (?)', [[1], [2], [3]]).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'ProtocolError', code: 'INVALID_RESPONSE' })
    expect((error as Error).message).toMatch(/2 bulk results for 3 rows/)
  })

  it('entries without a row count are reported as failed rows with an explanation', async () => {
    const result = await client.executeMany('INSERT INTO odd_entries (id) VALUES (?)', [[1], [2], [3], [4], [5]])
    expect(result.rowCount).toBe(1)
    expect(result.failed.map((f) => f.index)).toEqual([1, 2, 3, 4])
    expect(result.failed[0]!.error?.message).toMatch(/no row count .* whether this row was written is unknown/)
  })

  it('sends bulk_args and reports exactly the failing rows (5.10+ shape)', async () => {
    stored.clear()
    shape = '5.10'
    stored.add(2)
    stored.add(4)
    const r = await client.executeMany('INSERT INTO t (id, v) VALUES (?, ?)', [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']])
    expect(node.requests.at(-1)!.json).toEqual({ stmt: 'INSERT INTO t (id, v) VALUES (?, ?)', bulk_args: [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']] })
    expect(r.rowCount).toBe(2)
    expect(r.duration).toBe(3.5)
    expect(r.results).toEqual([
      { rowCount: 1 },
      { rowCount: -2, error: { code: 4091, message: 'DuplicateKeyException[A document with the same primary key exists already]' } },
      { rowCount: 1 },
      { rowCount: -2, error: { code: 4091, message: 'DuplicateKeyException[A document with the same primary key exists already]' } },
    ])
    expect(r.failed.map((f) => f.index)).toEqual([1, 3])
    expect(r.failed[0]).toMatchObject({ index: 1, rowCount: -2, error: { code: 4091 } })
  })

  it('past the 10-errors-per-shard cap, failures without detail are still reported', async () => {
    stored.clear()
    shape = '5.10'
    const rows = Array.from({ length: 15 }, (_, i) => [i])
    await client.executeMany('INSERT INTO t (id) VALUES (?)', rows)
    const again = await client.executeMany('INSERT INTO t (id) VALUES (?)', [...rows, [99]])
    expect(again.failed.map((f) => f.index)).toEqual(rows.map((_, i) => i))
    expect(again.failed.filter((f) => f.error !== undefined)).toHaveLength(10)
    expect(again.failed[14]).toEqual({ index: 14, rowCount: -2 })
    expect(again.rowCount).toBe(1)
  })

  it('servers 4.2-5.9 (bare -2) and legacy error_message', async () => {
    stored.clear()
    stored.add('x')
    shape = '4.2'
    const a = await client.executeMany('INSERT INTO t (id) VALUES (?)', [['x'], ['y']])
    expect(a.failed).toEqual([{ index: 0, rowCount: -2 }])
    shape = 'legacy'
    const b = await client.executeMany('INSERT INTO t (id) VALUES (?)', [['y'], ['z']])
    expect(b.failed).toEqual([{ index: 0, rowCount: -2, error: { code: 0, message: 'DuplicateKeyException[A document with the same primary key exists already]' } }])
    expect(b.rowCount).toBe(1)
  })

  it('an error that fails the whole statement rejects; an empty bulk is fine', async () => {
    await expect(client.executeMany('INSERT INTO missing_col (nope) VALUES (?)', [[1]])).rejects.toMatchObject({ code: 4043, constructor: ProgrammingError })
    expect(await client.executeMany('INSERT INTO t (id) VALUES (?)', [])).toEqual({ results: [], rowCount: 0, failed: [], duration: 3.5 })
  })
})
