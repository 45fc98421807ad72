import { describe, expect, it } from 'vitest'
import {
  markInexactNumbers,
  markLongIntegersSpeculatively,
  parseExactJson,
  parseResponseJson,
  pickMarker,
  RawNumber,
} from '../../src/cratedb/json-decode.ts'
import { decodeExecuteBody } from '../../src/cratedb/sql-result.ts'
import { decodeRows } from '../../src/cratedb/value-decoder.ts'

/** Rows of a result body as the driver decodes them (default options unless given). */
function rowsOf(body: string, options: Parameters<typeof decodeExecuteBody>[1] = {}): unknown[] {
  return decodeExecuteBody<unknown[]>(Buffer.from(body), options, 'http://test/', 'POST /_sql').rows
}

function result(colTypes: string, rows: string): string {
  const n = JSON.parse(colTypes).length as number
  const cols = JSON.stringify(Array.from({ length: n }, (_, i) => `c${i}`))
  return `{"cols":${cols},"col_types":${colTypes},"rows":${rows},"rowcount":1,"duration":0.5}`
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown

/** What the exact path must produce, computed independently with JSON.parse's source-text reviver. */
function reference(text: string, integersOnly: boolean): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value !== 'number' || context?.source === undefined) return value
    const source = context.source
    const integer = /^-?\d+$/.test(source)
    if (integer && !Number.isSafeInteger(value)) return new RawNumber(source)
    if (!integersOnly && String(value) !== source) return new RawNumber(source)
    return value
  }
  return (JSON.parse as unknown as (t: string, r: Reviver) => unknown)(text, reviver)
}

/** JSON text of a parsed value with RawNumbers and bigints spelled out, for comparisons. */
function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof RawNumber ? `raw:${v.source}` : typeof v === 'bigint' ? `${v}n` : v))
}

/** A deterministic pseudo-random source. */
function randomSource(seed: number): { random: () => number; pick: <T>(items: readonly T[]) => T } {
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
  return { random, pick: (items) => items[Math.floor(random() * items.length)]! }
}

describe('exact JSON parsing: integers beyond 2^53', () => {
  it('keeps big integers exact in nested objects and arrays, negative ones too', () => {
    const body = result('[12,[100,10],10]', '[[{"a":[1,{"b":-12345678901234567890}],"c":9007199254740993,"d":[[18446744073709551615]]},[1,-9223372036854775808],5]]')
    expect(rowsOf(body)).toEqual([[{ a: [1, { b: -12345678901234567890n }], c: 9007199254740993n, d: [[18446744073709551615n]] }, [1, -9223372036854775808n], 5]])
  })

  it('returns bigint for every integer beyond 2^53-1, even one a double prints back the same', () => {
    // 9000000000000100000 prints back unchanged from the nearest double, which is a different integer.
    const body = result('[10,10,10,10]', '[[9000000000000100000,9007199254740992,9007199254740991,-9007199254740991]]')
    expect(rowsOf(body)).toEqual([[9000000000000100000n, 9007199254740992n, 9007199254740991, -9007199254740991]])
  })

  it('leaves fractions and exponents alone', () => {
    const body = result('[6,6,6,6,10]', '[[12345678901234567.5,1.0E20,1.2345678901234567E-300,123456789012345678901234e0,12345678901234567890]]')
    const [row] = rowsOf(body) as unknown[][]
    expect(row).toEqual([12345678901234567.5, 1e20, 1.2345678901234567e-300, 1.23456789012345678901234e23, 12345678901234567890n])
    expect(show(parseExactJson('[12345678901234567.5,1.0E20,1e21,-0,12345678901234567890]', { integersOnly: true }))).toBe('[12345678901234568,100000000000000000000,1e+21,0,"raw:12345678901234567890"]')
  })

  it('is not fooled by digits in strings, escaped quotes or backslashes', () => {
    const strings = ['"12345678901234567890"', '"a\\"12345678901234567890\\""', '"[12345678901234567890]"', '"x\\\\"', '"\\\\\\"[1, 12345678901234567890]"', '"{\\"k\\": 12345678901234567890}"']
    const body = result('[4,4,4,4,4,4,10]', `[[${strings.join(',')},12345678901234567890]]`)
    expect(rowsOf(body)).toEqual([[...strings.map((s) => JSON.parse(s) as string), 12345678901234567890n]])
  })

  it('falls back to the full scan when a speculative rewrite landed inside a string', () => {
    const text = '{"cols":["a","b"],"col_types":[4,10],"rows":[["[12345678901234567890]", 98765432109876543210]]}'
    const marker = pickMarker(text)
    expect(() => JSON.parse(markLongIntegersSpeculatively(text, marker).text)).toThrow(SyntaxError)
    expect(markInexactNumbers(text, marker, true).marked).toBe(1)
    expect(show(parseExactJson(text, { integersOnly: true }))).toBe('{"cols":["a","b"],"col_types":[4,10],"rows":[["[12345678901234567890]","raw:98765432109876543210"]]}')
  })

  it('tolerates whitespace around tokens and a number as the whole body', () => {
    expect(show(parseExactJson('[ 12345678901234567890 ,\n\t-12345678901234567891\r\n]', { integersOnly: true }))).toBe('["raw:12345678901234567890","raw:-12345678901234567891"]')
    expect(parseExactJson('12345678901234567890', { integersOnly: true })).toEqual(new RawNumber('12345678901234567890'))
  })

  it('keeps strings that hold the marker character', () => {
    const body = result('[4,10,4]', '[["\\u0000123",12345678901234567890,"\\u0001"]]')
    expect(pickMarker(body)).toBe(2)
    expect(rowsOf(body)).toEqual([['\u0000123', 12345678901234567890n, '\u0001']])
  })

  it('keeps a __proto__ key an own property', () => {
    const [[obj]] = rowsOf(result('[12]', '[[{"__proto__":12345678901234567890,"x":1}]]')) as [[Record<string, unknown>]]
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value).toBe(12345678901234567890n)
  })

  it('rejects invalid JSON as JSON.parse does', () => {
    for (const text of ['{12345678901234567890: 1}', '{"a": 1, 12345678901234567890: 2}', '[01234567890123456789]', '[12345678901234567890.]', '[-]', '[12345678901234567890', '["12345678901234567890]']) {
      expect(() => parseExactJson(text, { integersOnly: true }), text).toThrow(SyntaxError)
      expect(() => parseExactJson(text, { integersOnly: false }), text).toThrow(SyntaxError)
    }
  })

  it('agrees with a source-text reviver on generated documents', () => {
    const { random, pick } = randomSource(12345)
    const numbers = ['0', '-0', '7', '-15', '123456789012345', '1234567890123456', '9007199254740991', '9007199254740992', '-9007199254740993', '12345678901234567890', '1.5', '1.50', '0.1', '0.30000000000000004', '1e5', '1.0E10', '-2.5e-7', '0.0000001', '123.4560', '99999999999999999999999']
    const strings = ['""', '"a"', '"12345678901234567890"', '"\\"1234567890123456789\\""', '"\\\\"', '"[9007199254740993]"', '"\\u00001"']
    const value = (depth: number): string => {
      const r = random()
      if (depth > 3 || r < 0.45) return pick(numbers)
      if (r < 0.65) return pick(strings)
      if (r < 0.7) return pick(['true', 'false', 'null'])
      const n = Math.floor(random() * 4)
      const items = Array.from({ length: n }, () => value(depth + 1))
      if (r < 0.85) return `[${items.join(pick([',', ' , ', ',\n']))}]`
      return `{${items.map((v, i) => `"k${i}":${pick(['', ' '])}${v}`).join(',')}}`
    }
    for (let i = 0; i < 400; i++) {
      const text = value(0)
      for (const integersOnly of [true, false]) expect(show(parseExactJson(text, { integersOnly })), text).toBe(show(reference(text, integersOnly)))
    }
  })
})

describe('exact JSON parsing: NUMERIC', () => {
  it('keeps NUMERIC text exactly, trailing zeros and exponents included', () => {
    const body = result('[22,[100,22],6]', '[[1.500,[100,0.000000100,-0.0,1E+3,12345678901234567890.1234567890,2.5],1.50]]')
    expect(rowsOf(body)).toEqual([['1.500', ['100', '0.000000100', '-0.0', '1E+3', '12345678901234567890.1234567890', '2.5'], 1.5]])
  })

  it('keeps source text in NUMERIC cells only, and big integers everywhere', () => {
    const body = result('[22,6,12,[100,22],10]', '[[1.10,1.50,{"n":2.50,"b":12345678901234567890},[1.0,2.50],12345678901234567891],[null,0.5,{},[],1]]')
    const { value, exact } = parseResponseJson(Buffer.from(body)) as { value: { rows: unknown[][] }; exact: boolean }
    expect(exact).toBe(true)
    expect(show(value.rows)).toBe('[["raw:1.10",1.5,{"n":2.5,"b":"raw:12345678901234567890"},["raw:1.0","raw:2.50"],"raw:12345678901234567891"],[null,0.5,{},[],1]]')
    expect(rowsOf(body)).toEqual([
      ['1.10', 1.5, { n: 2.5, b: 12345678901234567890n }, ['1.0', '2.50'], 12345678901234567891n],
      [null, 0.5, {}, [], 1],
    ])
  })

  it('finds the NUMERIC cells whatever the strings and nesting around them', () => {
    const body =
      '{"cols":["s","o","n"],"col_types":[4,12,22],"rows":[["a,[b]\\\\",{"x":[1.50,{"y":"]"}]},2.50],["\\\\\\"",[],-0.10]],"rowcount":2,"duration":1.50}'
    expect(rowsOf(body)).toEqual([
      ['a,[b]\\', { x: [1.5, { y: ']' }] }, '2.50'],
      ['\\"', [], '-0.10'],
    ])
  })
  it('decodes generated result bodies with NUMERIC columns as the source-text reviver path does', () => {
    const { random, pick } = randomSource(777)
    const numbers = ['0', '-0', '7', '1234567890123456', '9007199254740993', '-12345678901234567890', '1.5', '1.50', '0.30000000000000004', '1.0E10', '2.5e-7', '123.4560', '1E+3']
    const strings = ['"a"', '"1.50"', '"[2.50, 3]"', '"\\\\"', '"\\"]"', '"{\\"k\\": 1.0}"']
    const types: [unknown, () => string][] = [
      [22, () => pick(numbers)],
      [[100, 22], () => `[${Array.from({ length: Math.floor(random() * 3) }, () => pick([...numbers, 'null'])).join(',')}]`],
      [6, () => pick(numbers)],
      [10, () => pick(numbers.filter((v) => !/[.eE]/.test(v)))],
      [4, () => pick(strings)],
      [12, () => `{"a":${pick(numbers)},"s":${pick(strings)},"l":[${pick(numbers)},${pick(strings)}]}`],
    ]
    for (let doc = 0; doc < 100; doc++) {
      const columns = Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(types))
      if (!columns.some(([t]) => t === 22 || Array.isArray(t))) columns.push(types[0]!)
      const rows = Array.from({ length: 1 + Math.floor(random() * 4) }, () => `[${columns.map(([, value]) => (random() < 0.1 ? 'null' : value())).join(',')}]`)
      const colTypes = JSON.stringify(columns.map(([t]) => t))
      const body = result(colTypes, `[${rows.join(',')}]`)
      const expected = (reference(body, false) as { rows: unknown[][] }).rows
      decodeRows(expected, JSON.parse(colTypes) as unknown[], true, {})
      expect(show(rowsOf(body)), body).toBe(show(expected))
    }
  })

  it('leaves bodies without long integers or NUMERIC to plain JSON.parse', () => {
    expect(parseResponseJson(Buffer.from(result('[10,6]', '[[123456789012345,1.50]]')))).toEqual({ value: JSON.parse(result('[10,6]', '[[123456789012345,1.50]]')), exact: false })
  })
})
