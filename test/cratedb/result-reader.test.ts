import { describe, expect, it } from 'vitest'
import { readJson, readResultBody, type ReadOptions } from '../../src/cratedb/result-reader.ts'
import { decodeExecuteBody } from '../../src/cratedb/sql-result.ts'

/** Rows of a result body as the driver decodes them (default options unless given). */
function rowsOf(body: string, options: ReadOptions = {}): unknown[] {
  return decodeExecuteBody<unknown[]>(Buffer.from(body), options, 'http://test/', 'POST /_sql').rows
}

function result(colTypes: string, rows: string): string {
  const n = JSON.parse(colTypes).length as number
  const cols = JSON.stringify(Array.from({ length: n }, (_, i) => `c${i}`))
  return `{"cols":${cols},"col_types":${colTypes},"rows":${rows},"rowcount":1,"duration":0.5}`
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown

/** Independent reference: JSON.parse with a source-text reviver turning integers beyond 2^53-1 into bigints. */
function reference(text: string): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value !== 'number' || context?.source === undefined) return value
    return /^-?\d+$/.test(context.source) && !Number.isSafeInteger(value) ? BigInt(context.source) : value
  }
  return (JSON.parse as unknown as (t: string, r: Reviver) => unknown)(text, reviver)
}

/** JSON text of a value with bigints, -0 and Dates spelled out, for exact comparisons. */
function show(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, k, v: unknown) {
    const raw = this[k]
    if (raw instanceof Date) return `date:${raw.getTime()}`
    if (typeof v === 'bigint') return `${v}n`
    if (Object.is(v, -0)) return '-0'
    return v
  })
}

/** A deterministic pseudo-random source. */
function randomSource(seed: number): { random: () => number; pick: <T>(items: readonly T[]) => T } {
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
  return { random, pick: (items) => items[Math.floor(random() * items.length)]! }
}

const NUMBERS = [
  '0', '-0', '7', '-15', '123456789012345', '1234567890123456', '9007199254740991', '9007199254740992', '-9007199254740993',
  '12345678901234567890', '1.5', '1.50', '0.1', '0.30000000000000004', '1e5', '1.0E10', '-2.5e-7', '0.0000001', '123.4560',
  '99999999999999999999999', '1e22', '1e23', '4.35', '3162.2776601683795', '1.7976931348623157e308', '5e-324', '1e-400', '2e400',
  '123456789012345678901234567890e-10', '0.1e1', '1E+2', '-0.0', '1700000001000',
]
const STRINGS = [
  '""', '"a"', '"12345678901234567890"', '"\\"1234567890123456789\\""', '"\\\\"', '"[9007199254740993]"', '"\\u00001"', '"sensor-12345678"',
  '"grüße, 東京"', '"emoji \\ud83d\\ude00 and 😀"', '"\\/\\b\\f\\n\\r\\t"', '"a long string with more than thirteen characters"', '"__proto__"',
  '"\\u0041\\u00e9\\u4e2d"', '"lone \\udc00 surrogate"', '"tab-free"', '"kind"', '"x"',
]

function generatedValue(random: () => number, pick: <T>(items: readonly T[]) => T, depth: number): string {
  const r = random()
  if (depth > 3 || r < 0.4) return pick(NUMBERS)
  if (r < 0.62) return pick(STRINGS)
  if (r < 0.67) return pick(['true', 'false', 'null'])
  const n = Math.floor(random() * 5)
  const items = Array.from({ length: n }, () => generatedValue(random, pick, depth + 1))
  if (r < 0.85) return `[${items.join(pick([',', ' , ', ',\n\t']))}]`
  return `{${items.map((v, i) => `${pick(['"k', '"__proto__', '"ключ'])}${i}"${pick(['', ' '])}:${pick(['', ' '])}${v}`).join(',')}}`
}

describe('reading JSON from bytes', () => {
  it('agrees with JSON.parse (plus exact big integers) on generated documents', () => {
    const { random, pick } = randomSource(12345)
    for (let i = 0; i < 1500; i++) {
      const text = generatedValue(random, pick, 0)
      expect(show(readJson(Buffer.from(text))), text).toBe(show(reference(text)))
      expect(show(readJson(Buffer.from(text), { bigint: 'number' })), text).toBe(show(JSON.parse(text)))
    }
  })

  it('rejects exactly what JSON.parse rejects, on mutated and truncated documents', () => {
    const { random, pick } = randomSource(99)
    const noise = ['', ' ', ',', ']', '}', '"', '\\', '-', '.', 'e', '0', '01', '\u0001', '\n', 'x', 'tru', '[', '{', ':', '\u00e9']
    let rejected = 0
    for (let i = 0; i < 3000; i++) {
      const valid = generatedValue(random, pick, 0)
      const at = Math.floor(random() * (valid.length + 1))
      const text = random() < 0.3 ? valid.slice(0, at) : valid.slice(0, at) + pick(noise) + valid.slice(at + (random() < 0.5 ? 1 : 0))
      let expected = true
      try {
        JSON.parse(text)
      } catch {
        expected = false
      }
      let got = true
      try {
        readJson(Buffer.from(text))
      } catch (err) {
        expect(err, text).toBeInstanceOf(SyntaxError)
        got = false
      }
      expect(got, JSON.stringify(text)).toBe(expected)
      if (!got) rejected++
    }
    expect(rejected).toBeGreaterThan(1000)
  })

  it('rejects classic invalid JSON with the position in the message', () => {
    for (const text of ['', ' ', '{12345678901234567890: 1}', '[01]', '[1.]', '[-]', '[1e]', '[12345678901234567890', '["abc]', '[1,]', '{"a":1,}', '"\u0001"', '"\\x"', '"\\u12G4"', 'nul', 'true false', '[1] x', '\u00e9']) {
      expect(() => readJson(Buffer.from(text)), JSON.stringify(text)).toThrow(SyntaxError)
    }
    expect(() => readJson(Buffer.from('[1, 2, x]'))).toThrow(/"x" in JSON at byte 7/)
  })

  it('decodes non-ASCII text and invalid UTF-8 as Buffer#toString does', () => {
    const bytes = Buffer.concat([Buffer.from('["caf'), Buffer.from([0xc3, 0xa9]), Buffer.from(' '), Buffer.from([0xff, 0xfe]), Buffer.from(' \\n', 'latin1'), Buffer.from([0xe2, 0x82]), Buffer.from('"]')])
    expect(readJson(bytes)).toEqual(JSON.parse(bytes.toString('utf8')))
  })

  it('returns the right string when many short strings share cache slots', () => {
    const words = Array.from({ length: 20000 }, (_, i) => i.toString(36).padStart(i % 9, 'z'))
    const text = JSON.stringify([...words, ...words.reverse()])
    expect(readJson(Buffer.from(text))).toEqual(JSON.parse(text))
  })

  it('keeps a __proto__ key an own property, and does not touch the prototype', () => {
    const obj = readJson(Buffer.from('{"__proto__":{"polluted":true},"a":12345678901234567890}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value).toEqual({ polluted: true })
    expect(obj['a']).toBe(12345678901234567890n)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('reading result bodies by col_types', () => {
  it('keeps big integers exact in nested objects and arrays, negative ones too', () => {
    const body = result('[12,[100,10],10]', '[[{"a":[1,{"b":-12345678901234567890}],"c":9007199254740993,"d":[[18446744073709551615]]},[1,-9223372036854775808],5]]')
    expect(rowsOf(body)).toEqual([[{ a: [1, { b: -12345678901234567890n }], c: 9007199254740993n, d: [[18446744073709551615n]] }, [1, -9223372036854775808n], 5]])
  })

  it('returns bigint for every BIGINT beyond 2^53-1, even one a double prints back the same', () => {
    // 9000000000000100000 prints back unchanged from the nearest double, which is a different integer.
    expect(rowsOf(result('[10,10,10]', '[[9000000000000100000,9007199254740992,-9007199254740991]]'))).toEqual([[9000000000000100000n, 9007199254740992n, -9007199254740991]])
    expect(rowsOf(result('[10]', '[[1],[12345678901234567890]]'), { bigint: 'bigint' })).toEqual([[1n], [12345678901234567890n]])
    expect(rowsOf(result('[10]', '[[12345678901234567890]]'), { bigint: 'number' })).toEqual([[12345678901234567000]])
  })

  it('keeps NUMERIC text exactly, trailing zeros and exponents included, and only in NUMERIC cells', () => {
    const body = result('[22,[100,22],6,12]', '[[1.500,[100,0.000000100,-0.0,1E+3,12345678901234567890.1234567890,2.5,null],1.50,{"n":2.50}],[null,[],0.5,null]]')
    expect(rowsOf(body)).toEqual([
      ['1.500', ['100', '0.000000100', '-0.0', '1E+3', '12345678901234567890.1234567890', '2.5', null], 1.5, { n: 2.5 }],
      [null, [], 0.5, null],
    ])
  })

  it('finds the cells whatever the strings and nesting around them', () => {
    const body = '{"cols":["s","o","n"],"col_types":[4,12,22],"rows":[["a,[b]\\\\",{"x":[1.50,{"y":"]"}]},2.50],["\\\\\\"",[],-0.10]],"rowcount":2,"duration":1.50}'
    expect(rowsOf(body)).toEqual([
      ['a,[b]\\', { x: [1.5, { y: ']' }] }, '2.50'],
      ['\\"', [], '-0.10'],
    ])
  })

  it('decodes timestamps at any array depth, as Dates or epoch ms', () => {
    const body = result('[11,[100,[100,15]],24]', '[[1700000000000,[[0,-1000],null,[]],86400000],[null,null,null]]')
    expect(show(rowsOf(body))).toBe(show([[new Date(1700000000000), [[new Date(0), new Date(-1000)], null, []], new Date(86400000)], [null, null, null]]))
    expect(rowsOf(body, { timestamps: 'number' })).toEqual([[1700000000000, [[0, -1000], null, []], 86400000], [null, null, null]])
  })

  it('decodes generated bodies as JSON.parse plus per-column conversion would', () => {
    const { random, pick } = randomSource(777)
    const ints = NUMBERS.filter((v) => /^-?\d+$/.test(v))
    const columns: { type: unknown; value: () => string; expect: (source: string, parsed: unknown) => unknown }[] = [
      { type: 22, value: () => pick(NUMBERS), expect: (s) => s },
      { type: 6, value: () => pick(NUMBERS), expect: (_s, v) => v },
      { type: 9, value: () => pick(ints), expect: (_s, v) => v },
      { type: 10, value: () => pick(ints), expect: (s, v) => (Number.isSafeInteger(v) ? v : BigInt(s)) },
      { type: 11, value: () => pick(ints.filter((v) => v.length < 15)), expect: (_s, v) => new Date(v as number) },
      { type: 4, value: () => pick(STRINGS), expect: (_s, v) => v },
      { type: 12, value: () => generatedValue(random, pick, 1), expect: (s) => reference(s) },
    ]
    for (let doc = 0; doc < 150; doc++) {
      const cols = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(columns))
      const cells: string[][] = Array.from({ length: 1 + Math.floor(random() * 4) }, () => cols.map((c) => (random() < 0.1 ? 'null' : c.value())))
      const body = result(JSON.stringify(cols.map((c) => c.type)), `[${cells.map((r) => `[${r.join(',')}]`).join(',')}]`)
      const expected = cells.map((r) => r.map((source, k) => (source === 'null' ? null : cols[k]!.expect(source, JSON.parse(source)))))
      expect(show(rowsOf(body)), body).toBe(show(expected))
    }
  })

  it('reads rows that come before col_types, and rows without col_types as plain JSON with exact integers', () => {
    const late = '{"rows":[[12345678901234567890,1700000000000,1.50]],"cols":["a","b","c"],"col_types":[10,11,22],"rowcount":1,"duration":1}'
    expect(show(rowsOf(late))).toBe(show([[12345678901234567890n, new Date(1700000000000), '1.50']]))
    const none = '{"cols":["a","b"],"rows":[[12345678901234567890,1.50]],"rowcount":1,"duration":1}'
    expect(rowsOf(none)).toEqual([[12345678901234567890n, 1.5]])
  })

  it('builds object rows keyed by column name, __proto__ as an own property, later duplicates winning', () => {
    const body = '{"cols":["a","__proto__","a","b"],"col_types":[10,4,4,11],"rows":[[12345678901234567890,"p","second",0]],"rowcount":1,"duration":1}'
    const [row] = rowsOf(body, { rowMode: 'object' }) as Record<string, unknown>[]
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('p')
    expect(row!['a']).toBe('second')
    expect(row!['b']).toEqual(new Date(0))
  })

  it('handles rows with more or fewer cells than columns, and empty results', () => {
    expect(rowsOf(result('[10]', '[[1,12345678901234567890],[]]'))).toEqual([[1, 12345678901234567890n], []])
    expect(rowsOf(result('[10]', '[]'))).toEqual([])
    expect(readResultBody(Buffer.from('{}'))).toEqual({ cols: undefined, colTypes: undefined, rows: undefined, rowcount: undefined, duration: undefined, results: undefined })
    expect(readResultBody(Buffer.from('[1]'))).toBeUndefined()
  })
})

describe('reading bulk answers', () => {
  it('builds each results entry from rowcount, error and error_message, skipping other members', () => {
    const body = '{"cols":[],"duration":1.5,"results":[{"rowcount":1},{"rowcount":-2,"error":{"code":4091,"message":"dup","extra":[1,{"a":2}]}},{"x":{"y":[1]},"rowcount":-2,"error_message":"old"},{},7,{"rowcount":-2,"error":"text"}]}'
    const seen: unknown[][] = []
    const read = readResultBody(Buffer.from(body), { bulkItem: (...args) => (seen.push(args), seen.length) })
    expect(read?.results).toEqual([1, 2, 3, 4, 5, 6])
    expect(seen).toEqual([
      [1, undefined, undefined],
      [-2, { code: 4091, message: 'dup', extra: [1, { a: 2 }] }, undefined],
      [-2, undefined, 'old'],
      [undefined, undefined, undefined],
      [7, undefined, undefined],
      [-2, 'text', undefined],
    ])
    expect(() => readResultBody(Buffer.from('{"results":[{"rowcount":1} {"rowcount":1}]}'), { bulkItem: () => 0 })).toThrow(SyntaxError)
  })
})

describe('converters (crate-python converter)', () => {
  it('replaces the built-in decoding per type id, element-wise in arrays, with raw exact values and nulls untouched', () => {
    const seen: unknown[] = []
    const converters = {
      22: (v: unknown) => (seen.push(v), `dec:${String(v)}`),
      11: (v: unknown) => (seen.push(v), `ts:${String(v)}`),
      10: (v: unknown) => (seen.push(v), typeof v),
    }
    const body = result('[22,[100,11],10,4]', '[[1.50,[1700000000000,null],12345678901234567890,"t"],[null,null,7,"u"]]')
    expect(rowsOf(body, { converters })).toEqual([
      ['dec:1.50', ['ts:1700000000000', null], 'bigint', 't'],
      [null, null, 'number', 'u'],
    ])
    expect(seen).toEqual(['1.50', 1700000000000, 12345678901234567890n, 7])
  })
})

describe('review findings', () => {
  it('converters get exact integers even with bigint: "number"; a converter that throws fails the call with its own error', () => {
    const seen: unknown[] = []
    rowsOf(result('[10]', '[[12345678901234567890]]'), { bigint: 'number', converters: { 10: (v) => seen.push(v) } })
    expect(seen).toEqual([12345678901234567890n])
    const boom = new RangeError('converter says no')
    expect(() => rowsOf(result('[10]', '[[1]]'), { converters: { 10: () => { throw boom } } })).toThrow(boom)
  })

  it('object rows wait for cols too, and a later rows member wins as with JSON.parse', () => {
    expect(rowsOf('{"col_types":[10],"rows":[[1]],"cols":["a"],"rowcount":1}', { rowMode: 'object' })).toEqual([{ a: 1 }])
    expect(rowsOf('{"cols":["a"],"rows":[[1]],"col_types":[10],"rows":[[2]]}')).toEqual([[2]])
    expect(rowsOf('{"cols":["a"],"col_types":[10],"rows":[[1]],"rows":[[3]]}')).toEqual([[3]])
  })

  it('a huge exponent is not cancelled by a capped counter: the text decides, as in JSON.parse', () => {
    const text = `[0.${'0'.repeat(99_999)}1e1000000, 1e400, -1e-400]`
    expect(readJson(Buffer.from(text))).toEqual(JSON.parse(text))
  })

  it('JSON nested deeper than the reader goes is a ProtocolError that says so', () => {
    const deep = `{"cols":["a"],"col_types":[12],"rows":[[${'['.repeat(200_000)}${']'.repeat(200_000)}]]}`
    expect(() => rowsOf(deep)).toThrow(/nested deeper than the driver reads/)
  })
})
