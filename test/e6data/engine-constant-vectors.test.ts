import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeChunk } from '../../src/e6data/chunk-decoder.ts'
import { encodeChunk } from '../../src/testing/e6data/chunk-encoder.ts'
import { planColumn, vectorFromChunks } from '../../src/testing/e6data/duckdb-vectors.ts'
import { decodeChunkWithThriftPackage } from '../../bench/e6data/thrift-package-decoder.ts'

/**
 * The local engine sends a column whose cells in a batch are all equal (literals, all NULL) as a constant vector
 * (`isConstantVector`, one `*ConstantData` value), as an e6data engine does for constant projections, so the
 * decoder's constant path runs end to end: DuckDB chunk → engine encoder → Thrift bytes → our decoder and the
 * `thrift` package's.
 */
let db: DuckDBInstance
let conn: DuckDBConnection
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:')
  conn = await db.connect()
})
afterAll(() => {
  conn?.closeSync()
})

async function chunksOf(sql: string): Promise<{ chunks: DuckDBDataChunk[]; types: ReturnType<typeof planColumn>[]; rows: number }> {
  const r = await conn.stream(sql)
  const types = r.columnTypes().map(planColumn)
  const chunks: DuckDBDataChunk[] = []
  let rows = 0
  for (let c = await r.fetchChunk(); c !== null && c.rowCount > 0; c = await r.fetchChunk()) {
    chunks.push(c)
    rows += c.rowCount
  }
  return { chunks, types, rows }
}

describe('constant vectors from the local engine', () => {
  const SQL = `SELECT 7::INTEGER AS i, 9000000000::BIGINT AS l, 'const' AS s, NULL::BIGINT AS n, NULL::VARCHAR AS ns,
      2.5::DOUBLE AS d, 1.25::FLOAT AS f, true AS b, DATE '1969-12-31' AS dt, TIMESTAMP '1965-03-04 05:06:07.089' AS ts,
      TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz, 12345678901234567890123456789.123456789::DECIMAL(38, 9) AS dec,
      [1, 2] AS arr, n AS varying FROM range(3) t(n)`

  it('equal cells travel as constant vectors, varying ones as plain vectors', async () => {
    const { chunks, types } = await chunksOf(SQL)
    const vectors = types.map((plan, c) => vectorFromChunks(plan, chunks, c))
    expect(vectors.map((v) => v.member)).toEqual([...Array<string>(13).fill('constant'), 'int64'])
    expect(vectors.filter((v) => v.member === 'constant' && v.isNull === true).length).toBe(2)
  })

  it('decode to the same values as the plain vectors would (ours and the thrift package)', async () => {
    const { chunks, types, rows } = await chunksOf(SQL)
    const bytes = encodeChunk(rows, types.map((plan, c) => vectorFromChunks(plan, chunks, c)))
    const row = (n: number): unknown[] => [
      7, 9000000000, 'const', null, null, 2.5, 1.25, true, '1969-12-31', '1965-03-04T05:06:07.089+00:00', '2024-01-02T03:04:05.000+00:00',
      '12345678901234567890123456789.123456789', '[1, 2]', n,
    ]
    const expected = { size: 3, rows: [row(0), row(1), row(2)] }
    expect(decodeChunk(bytes, types.length)).toEqual(expected)
    expect(decodeChunkWithThriftPackage(bytes, types.length)).toEqual(expected)
  })

  it('a single-row batch and a column that differs in one cell stay plain', async () => {
    const one = await chunksOf(`SELECT 1 AS x`)
    expect(vectorFromChunks(one.types[0]!, one.chunks, 0).member).toBe('int32')
    const mixed = await chunksOf(`SELECT CASE WHEN n = 2 THEN NULL ELSE 5 END AS x, CASE WHEN n = 2 THEN 'b' ELSE 'a' END AS y FROM range(3) t(n)`)
    expect(vectorFromChunks(mixed.types[0]!, mixed.chunks, 0).member).toBe('int32')
    expect(vectorFromChunks(mixed.types[1]!, mixed.chunks, 1).member).toBe('varchar')
    const bytes = encodeChunk(3, mixed.types.map((p, c) => vectorFromChunks(p, mixed.chunks, c)))
    expect(decodeChunk(bytes, 2).rows).toEqual([[5, 'a'], [5, 'a'], [null, 'b']])
  })
})
