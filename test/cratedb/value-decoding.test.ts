import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, CrateDBType, crateTypeName, type CrateDBClient } from '../../src/cratedb/index.ts'
import { startStub, untag, type StubNode } from './helpers/stub-node.ts'

// Bodies written by hand as CrateDB sends them
// (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types), served verbatim.
const bodies: Record<string, string> = {}
let node: StubNode
let client: CrateDBClient

beforeAll(async () => {
  node = await startStub((req, res) => {
    const body = bodies[untag(req.json?.stmt ?? '')] ?? '{"error":{"message":"no such fixture","code":4000}}'
    res.writeHead(body.startsWith('{"error"') ? 400 : 200, { 'content-type': 'application/json' })
    res.end(body)
  })
  client = connect(node.url)
})

afterAll(async () => {
  await client.close()
  await node.kill()
})

async function one(stmt: string, body: string, options?: Parameters<typeof connect>[1]): Promise<unknown[]> {
  bodies[stmt] = body
  const c = options ? connect(node.url, options) : client
  try {
    return (await c.execute(stmt)).rows[0]!
  } finally {
    if (c !== client) await c.close()
  }
}

describe('decoding by col_types (http.html#http-column-types)', () => {
  it('every scalar type id', async () => {
    const body =
      '{"cols":["n","u","b","bool","t","ip","d","r","s","i","big","tz","o","gp","gs","ts","uo","iv","row","rp","ttz","ov","num","rc","dt","bit","js","ch","fv","uuid","rt"],' +
      '"col_types":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30],' +
      '"rows":[[null,"x",120,true,"text","10.0.0.1",1.5,0.25,-3,42,9007199254740993,1700000000123,{"a":{"b":[1,2]}},[9.74,47.42],{"type":"Point","coordinates":[1.0,2.0]},1700000000000,{"k":"v"},"1 year 2 mons 5 days 01:02:03",[1,"a"],"sum",[45296000000,3600],[1,2],"12345678901234567890.120",1259,1700006400000,"B\'0101\'","{\\"a\\":1}","ab  ",[0.5,1.5],"0b8d1c8e-1111-4c4c-8f8f-1234567890ab","integer"]],' +
      '"rowcount":1,"duration":2.195417}'
    bodies['ALL'] = body
    const r = await client.execute('ALL')
    expect(r.cols).toHaveLength(31)
    expect(r.colTypes).toEqual(Array.from({ length: 31 }, (_, i) => i))
    expect(r.duration).toBe(2.195417)
    const row = r.rows[0]!
    expect(row[0]).toBeNull()
    expect(row[2]).toBe(120)
    expect(row[3]).toBe(true)
    expect(row[4]).toBe('text')
    expect(row[5]).toBe('10.0.0.1')
    expect(row[6]).toBe(1.5)
    expect(row[7]).toBe(0.25)
    expect(row[8]).toBe(-3)
    expect(row[9]).toBe(42)
    expect(row[10]).toBe(9007199254740993n) // BIGINT beyond 2^53: exact, as bigint
    expect(row[11]).toEqual(new Date(1700000000123)) // TIMESTAMPTZ
    expect(row[12]).toEqual({ a: { b: [1, 2] } }) // OBJECT
    expect(row[13]).toEqual([9.74, 47.42]) // GEO_POINT [lon, lat]
    expect(row[14]).toEqual({ type: 'Point', coordinates: [1, 2] }) // GEO_SHAPE
    expect(row[15]).toEqual(new Date(1700000000000)) // TIMESTAMP
    expect(row[16]).toEqual({ k: 'v' }) // UNCHECKED_OBJECT
    expect(row[17]).toBe('1 year 2 mons 5 days 01:02:03') // INTERVAL
    expect(row[18]).toEqual([1, 'a']) // ROW
    expect(row[19]).toBe('sum') // REGPROC
    expect(row[20]).toEqual([45296000000, 3600]) // TIMETZ
    expect(row[21]).toEqual([1, 2]) // OIDVECTOR
    expect(row[22]).toBe('12345678901234567890.120') // NUMERIC: exact text, scale kept
    expect(row[23]).toBe(1259) // REGCLASS
    expect(row[24]).toEqual(new Date(Date.UTC(2023, 10, 15))) // DATE
    expect(row[25]).toBe("B'0101'") // BIT
    expect(row[26]).toBe('{"a":1}') // JSON stays text
    expect(row[27]).toBe('ab  ') // CHARACTER(n)
    expect(row[28]).toEqual([0.5, 1.5]) // FLOAT_VECTOR
    expect(row[29]).toBe('0b8d1c8e-1111-4c4c-8f8f-1234567890ab') // UUID
    expect(row[30]).toBe('integer') // REGTYPE
  })

  it('TIMETZ is [micros since midnight, offset seconds]', async () => {
    expect(await one('TIMETZ', '{"cols":["t"],"col_types":[20],"rows":[[[45296000000,3600]]],"rowcount":1,"duration":1}')).toEqual([[45296000000, 3600]])
  })

  it('BIGINT: numbers when safe, bigint beyond; bigint: "bigint" always, "number" never', async () => {
    const body = '{"cols":["a","b","c"],"col_types":[10,10,10],"rows":[[1,-9223372036854775808,9223372036854775807]],"rowcount":1,"duration":1}'
    expect(await one('BIG', body)).toEqual([1, -9223372036854775808n, 9223372036854775807n])
    expect(await one('BIG', body, { bigint: 'bigint' })).toEqual([1n, -9223372036854775808n, 9223372036854775807n])
    expect(await one('BIG', body, { bigint: 'number' })).toEqual([1, -9223372036854775808, 9223372036854775807])
  })

  it('NUMERIC keeps every digit and the scale, also when no long digit run is present', async () => {
    const body = '{"cols":["a","b","c","d"],"col_types":[22,22,22,[100,22]],"rows":[[1.10,-0.000000000000000001,5,[1.50,null,2]]],"rowcount":1,"duration":1}'
    expect(await one('NUM', body)).toEqual(['1.10', '-0.000000000000000001', '5', ['1.50', null, '2']])
  })

  it('timestamps: "number" keeps epoch ms', async () => {
    const body = '{"cols":["a","b","c"],"col_types":[11,15,24],"rows":[[1700000000123,1700000000000,1700006400000]],"rowcount":1,"duration":1}'
    expect(await one('TS', body, { timestamps: 'number' })).toEqual([1700000000123, 1700000000000, 1700006400000])
  })

  it('arrays decode their elements at any depth, nulls kept', async () => {
    const body =
      '{"cols":["a","b","c","d"],"col_types":[[100,11],[100,[100,10]],[100,13],[100,12]],' +
      '"rows":[[[1000,null],[[1,18446744073709551615],null,[]],[[1.5,2.5]],[{"x":12345678901234567891}]]],"rowcount":1,"duration":1}'
    expect(await one('ARR', body)).toEqual([[new Date(1000), null], [[1, 18446744073709551615n], null, []], [[1.5, 2.5]], [{ x: 12345678901234567891n }]])
  })

  it('big integers inside OBJECT values become bigint; doubles stay numbers even in exact mode', async () => {
    const body = '{"cols":["o","d"],"col_types":[12,6],"rows":[[{"id":1234567890123456789,"f":0.30000000000000004,"e":1.0E10},1.0E10]],"rowcount":1,"duration":1}'
    expect(await one('OBJ', body)).toEqual([{ id: 1234567890123456789n, f: 0.30000000000000004, e: 1e10 }, 1e10])
  })

  it('rowMode object keys rows by column name (per client and per call)', async () => {
    bodies['OM'] = '{"cols":["id","__proto__"],"col_types":[9,4],"rows":[[1,"a"],[2,"b"]],"rowcount":2,"duration":1}'
    const r = await client.execute<Record<string, unknown>>('OM', [], { rowMode: 'object' })
    expect(r.rows[0]).toEqual(Object.fromEntries([['id', 1], ['__proto__', 'a']]))
    expect(Object.getPrototypeOf(r.rows[0])).toBe(Object.prototype)
    const c = connect(node.url, { rowMode: 'object' })
    expect((await c.execute('OM')).rows[1]).toMatchObject({ id: 2 })
    await c.close()
  })

  it('a server without col_types still gets exact big integers', async () => {
    expect(await one('NOTYPES', '{"cols":["a"],"rows":[[12345678901234567890]],"rowcount":1,"duration":1}')).toEqual([12345678901234567890n])
  })
})

describe('converters option', () => {
  it('is checked at connect(): type ids to functions', () => {
    expect(() => connect('http://127.0.0.1:1/', { converters: { 22: 'nope' as unknown as () => unknown } })).toThrow(/converters must map CrateDB type ids to functions/)
    expect(() => connect('http://127.0.0.1:1/', { converters: { NUMERIC: () => 1 } as never })).toThrow(/converters/)
  })
})

describe('type names', () => {
  it('names types', () => {
    expect(crateTypeName(CrateDBType.BIGINT)).toBe('BIGINT')
    expect(crateTypeName([100, [100, 4]])).toBe('ARRAY(ARRAY(TEXT))')
    expect(crateTypeName(77)).toBe('TYPE_77')
  })
})
