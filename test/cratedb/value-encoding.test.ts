import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, InvalidArgumentError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { encodeBulkBody, encodeStatementBody } from '../../src/cratedb/value-encoder.ts'
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

describe('argument encoding', () => {
  it('bigint goes out as exact JSON digits, Date as epoch ms, bytes as base64, decimals as strings', async () => {
    const when = new Date('2024-02-29T12:34:56.789Z')
    await client.execute('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)', [
      9223372036854775807n,
      when,
      Buffer.from('hi'),
      '12345678901234567890.120',
      { nested: [1n, when], geo: [9.74, 47.42] },
      null,
    ])
    const raw = node.requests.at(-1)!.body.toString('utf8')
    expect(raw).toContain('9223372036854775807,')
    expect(raw).not.toContain('"9223372036854775807"')
    expect(JSON.parse(raw).args).toEqual([9223372036854775807, when.getTime(), 'aGk=', '12345678901234567890.120', { nested: [1, when.getTime()], geo: [9.74, 47.42] }, null])
  })

  it('the caller\'s arrays and objects are not modified', () => {
    const args = [{ a: 1n }, [new Date(0)]]
    encodeStatementBody('x', args)
    expect(args[0]).toEqual({ a: 1n })
    expect((args[1] as Date[])[0]).toBeInstanceOf(Date)
  })

  it('plain values are sent without copying', () => {
    expect(encodeStatementBody('SELECT ?', ['a', 1, true, null])).toBe('{"stmt":"SELECT ?","args":["a",1,true,null]}')
    expect(encodeBulkBody('INSERT', [[1n], [2]])).toBe('{"stmt":"INSERT","bulk_args":[[1],[2]]}')
  })

  it('NaN, Infinity, invalid dates, symbols and non-array bulk rows are refused before sending', async () => {
    const before = node.requests.length
    await expect(client.execute('SELECT ?', [NaN])).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(client.execute('SELECT ?', [[Infinity]])).rejects.toThrow(/args\[0\]\[0\]/)
    await expect(client.execute('SELECT ?', [new Date('nope')])).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(client.execute('SELECT ?', [Symbol('s')])).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(client.executeMany('INSERT', [[1], null as unknown as unknown[]])).rejects.toThrow(/bulkArgs\[1\]/)
    await expect(client.execute('')).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(node.requests.length).toBe(before)
  })
})

describe('argument errors name the failing value', () => {
  it('gives the path of a bad value inside args and bulk args, and sends nothing', async () => {
    const { encodeBulkBody, encodeStatementBody } = await import('../../src/cratedb/value-encoder.ts')
    const { InvalidArgumentError } = await import('../../src/cratedb/errors.ts')
    expect(() => encodeStatementBody('select ?', [1, { a: [0, Number.NaN] }])).toThrow(InvalidArgumentError)
    expect(() => encodeStatementBody('select ?', [1, { a: [0, Number.NaN] }])).toThrow('Argument args[1].a[1] is NaN')
    expect(() => encodeBulkBody('insert', [[1], [2, new Date(Number.NaN)]])).toThrow('Argument bulkArgs[1][1] is an invalid Date')
    expect(() => encodeBulkBody('insert', [[Symbol('x')]])).toThrow('Argument bulkArgs[0][0] is a symbol')
  })
})
