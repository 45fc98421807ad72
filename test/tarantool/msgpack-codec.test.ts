import { describe, expect, it } from 'vitest'
import { pack as plainPack, unpack as plainUnpack } from 'msgpackr'
import { decodeValue, encodeValue, RawExtension, skipValue } from '../../src/tarantool/msgpack-codec.ts'
import { BoxErrorValue, Datetime, Decimal, Double, double, Interval, parseErrorStack, Uuid } from '../../src/tarantool/ext/index.ts'
import { InvalidArgumentError, ProtocolError, ServerError } from '../../src/tarantool/errors.ts'
import { errorCodeName } from '../../src/tarantool/iproto-error-codes.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const bytes = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')
const decodeAll = (buf: Uint8Array): unknown => decodeValue(buf, 0, buf.length)
const roundTrip = (value: unknown): unknown => decodeAll(encodeValue(value))

describe('msgpack_extensions byte layouts', () => {
  it('encodes decimal -12.34 as D6 01 02 01 23 4D and decodes it back', () => {
    const encoded = encodeValue(Decimal.from('-12.34'))
    expect(hex(encoded)).toBe('d6010201234d')
    const decoded = decodeAll(encoded)
    expect(decoded).toBeInstanceOf(Decimal)
    expect(String(decoded)).toBe('-12.34')
  })

  it('decodes the interval example to {year 1, month 200, day -77, adjust none} and re-encodes it identically', () => {
    const example = bytes('C7 0B 06 04 00 01 01 CC C8 03 D0 B3 08 01')
    const decoded = decodeAll(example) as Interval
    expect(decoded).toBeInstanceOf(Interval)
    expect(decoded.toJSON()).toEqual({ year: 1, month: 200, week: 0, day: -77, hour: 0, minute: 0, second: 0, nsec: 0, adjust: 'none' })
    expect(hex(encodeValue(new Interval({ year: 1, month: 200, day: -77, adjust: 'none' })))).toBe(hex(example))
  })

  it('encodes a UUID as fixext16 D8 02 + 16 bytes in string order', () => {
    const text = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
    const encoded = encodeValue(new Uuid(text))
    expect(hex(encoded)).toBe('d802' + text.replace(/-/g, ''))
    const decoded = decodeAll(encoded)
    expect(decoded).toBeInstanceOf(Uuid)
    expect(String(decoded)).toBe(text)
  })

  it('encodes a datetime with only seconds as fixext8 D7 04 + int64 LE', () => {
    const encoded = encodeValue(new Datetime({ seconds: 1_700_000_000 }))
    expect(hex(encoded)).toBe('d704' + '00f1536500000000')
    expect(decodeAll(encoded)).toEqual(new Datetime({ seconds: 1_700_000_000 }))
  })

  it('encodes a datetime with nsec/tzoffset/tzindex as fixext16 D8 04 + int64, int32, int16, int16 LE', () => {
    const value = new Datetime({ seconds: -1, nsec: 5, tzoffset: 180, tzindex: 7 })
    const encoded = encodeValue(value)
    expect(hex(encoded)).toBe('d804' + 'ffffffffffffffff' + '05000000' + 'b400' + '0700')
    expect(decodeAll(encoded)).toEqual(value)
  })
})

describe('encodeValue typing rules', () => {
  it('encodes Double(5) as float64 CB while a plain 5 stays an int', () => {
    expect(hex(encodeValue(double(5)))).toBe('cb4014000000000000')
    expect(hex(encodeValue([new Double(5), 5]))).toBe('92cb401400000000000005')
    expect(roundTrip(double(5))).toBe(5)
  })

  it('encodes non-integral numbers as float64, never float32', () => {
    expect(hex(encodeValue(0.5))).toBe('cb3fe0000000000000')
    expect(hex(encodeValue(3.14))).toMatch(/^cb/)
  })

  it('encodes integers beyond 32 bits as uint64/int64, not float64', () => {
    expect(hex(encodeValue(2 ** 32))).toBe('cf0000000100000000')
    expect(hex(encodeValue(2 ** 40))).toBe('cf0000010000000000')
    expect(hex(encodeValue(-(2 ** 40)))).toBe('d3ffffff0000000000')
    expect(hex(encodeValue([2 ** 40, { id: 2 ** 35 }]))).toBe('92cf0000010000000000de0001a26964cf0000000800000000')
    expect(roundTrip(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER)
    expect(roundTrip(-(2 ** 40))).toBe(-(2 ** 40))
  })

  it('encodes non-negative bigints as uint (unsigned fields reject MP_INT) and negative ones as int', () => {
    expect(hex(encodeValue(5n))).toBe('05')
    expect(hex(encodeValue(300n))).toBe('cd012c')
    expect(hex(encodeValue(-5n))).toBe('fb')
    expect(hex(encodeValue(2n ** 63n - 1n))).toBe('cf7fffffffffffffff')
    expect(hex(encodeValue(-(2n ** 63n)))).toBe('d38000000000000000')
  })

  it('round-trips bigints at 2^53+1, 2^63-1, -2^63 and 2^64-1 as bigint', () => {
    for (const value of [2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, -(2n ** 53n) - 1n]) {
      expect(roundTrip(value)).toBe(value)
    }
    expect(hex(encodeValue(2n ** 64n - 1n))).toBe('cfffffffffffffffff')
  })

  it('decodes 64-bit ints within ±2^53 as numbers', () => {
    expect(decodeAll(bytes('cf 001fffffffffffff'))).toBe(2 ** 53 - 1)
    expect(decodeAll(bytes('d3 ffffffffffffffff'))).toBe(-1)
    expect(decodeAll(bytes('cf 0020000000000001'))).toBe(2n ** 53n + 1n)
    expect(roundTrip(2n ** 40n)).toBe(2 ** 40)
  })

  it('rejects bigints outside [-2^63, 2^64-1] with InvalidArgumentError', () => {
    expect(() => encodeValue(2n ** 64n)).toThrow(InvalidArgumentError)
    expect(() => encodeValue([1, -(2n ** 63n) - 1n])).toThrow(InvalidArgumentError)
  })

  it('encodes strings as str and Buffers/Uint8Arrays as bin, and decodes them back to string and Buffer', () => {
    expect(hex(encodeValue('ab'))).toBe('a26162')
    expect(hex(encodeValue(Buffer.from('ab')))).toBe('c4026162')
    expect(hex(encodeValue(new Uint8Array([0x61, 0x62])))).toBe('c4026162')
    const [text, bin] = roundTrip(['ab', Buffer.from('ab')]) as [unknown, unknown]
    expect(text).toBe('ab')
    expect(Buffer.isBuffer(bin)).toBe(true)
    expect(hex(bin as Buffer)).toBe('6162')
  })

  it('sends the bytes of other typed arrays, not their element values', () => {
    expect(hex(encodeValue(new Uint16Array([0x0102])))).toBe(`c402${hex(new Uint8Array(new Uint16Array([0x0102]).buffer))}`)
  })

  it('returns bin values as copies that do not change when the receive buffer is reused', () => {
    const frame = Buffer.from(encodeValue([Buffer.from([1, 2, 3])]))
    const [bin] = decodeAll(frame) as [Buffer]
    frame.fill(0xff)
    expect([...bin]).toEqual([1, 2, 3])
  })

  it('encodes undefined inside arrays as nil and plain objects as maps with string keys', () => {
    expect(hex(encodeValue([1, undefined, null]))).toBe('9301c0c0')
    expect(hex(encodeValue({ a: 1 }))).toBe('de0001a16101')
    expect(roundTrip([1, undefined])).toEqual([1, null])
  })

  it('encodes Map keys as values (integer keys stay integers) and decodes non-string keys stringified', () => {
    const encoded = encodeValue(new Map<unknown, unknown>([[1, 'x'], [2n ** 40n, true]]))
    expect(hex(encoded)).toBe('8201a178cf0000010000000000c3')
    expect(decodeAll(encoded)).toEqual({ '1': 'x', '1099511627776': true })
  })

  it('never emits msgpackr record, timestamp or undefined extensions', () => {
    expect(hex(encodeValue([{ a: 1 }, { a: 2 }]))).toBe('92de0001a16101de0001a16102')
    const date = encodeValue(new Date('2024-05-01T12:00:00.123Z'))
    expect(hex(date)).toBe('d804' + 'c02e326600000000' + 'c0d45407' + '0000' + '0000')
    expect(decodeAll(date)).toEqual(new Datetime({ seconds: 1714564800, nsec: 123_000_000 }))
    expect(hex(encodeValue(undefined))).toBe('c0')
  })

  it('round-trips nested arrays and maps', () => {
    const value = { id: 1, tags: ['a', 'b'], nested: { deep: [[1, 2], [3, { x: null, y: 1.5 }]] }, flag: false }
    expect(roundTrip(value)).toEqual(value)
    expect(roundTrip([[[]], {}, [{}]])).toEqual([[[]], {}, [{}]])
  })

  it('encodes class instances by their own properties or toJSON, Sets as arrays, with the same integer rules', () => {
    class Point {
      x = 2 ** 40
      y = 1n
    }
    expect(hex(encodeValue(new Point()))).toBe('de0002a178cf0000010000000000a17901')
    expect(hex(encodeValue({ toJSON: () => 'ignored' }))).toBe('de0001a6746f4a534f4ec0') // a plain object stays a map
    class Cents {
      toJSON(): bigint {
        return 2n ** 40n
      }
    }
    expect(hex(encodeValue({ nested: new Cents() }))).toBe('de0001a66e6573746564cf0000010000000000')
    expect(hex(encodeValue(new Set([1, 2n ** 40n])))).toBe('9201cf0000010000000000')
    expect(hex(encodeValue(new Map([['at', new Date(0)]])))).toBe('81a26174d7040000000000000000')
  })

  it('does not modify the caller value when it rewrites wide integers and Dates', () => {
    const date = new Date(0)
    const value = [2 ** 40, { when: date }, 7n]
    encodeValue(value)
    expect(value).toEqual([2 ** 40, { when: date }, 7n])
  })

  it('rejects symbols and cyclic values with InvalidArgumentError', () => {
    expect(() => encodeValue([Symbol('x')])).toThrow(InvalidArgumentError)
    const cyclic: unknown[] = []
    cyclic.push(cyclic)
    expect(() => encodeValue(cyclic)).toThrow(InvalidArgumentError)
  })

  it('returns buffers that later encodes do not overwrite (stable for frame concatenation)', () => {
    const values = Array.from({ length: 3000 }, (_, i) => [i, `value-${i}`.repeat(1 + (i % 7)), i * 1.5])
    const encoded = values.map((v) => encodeValue(v))
    encodeValue('x'.repeat(100_000)) // forces a bigger slab
    encoded.forEach((buf, i) => expect(decodeAll(buf)).toEqual(values[i]))
  })
})

describe('extension types', () => {
  it('round-trips every extension class', () => {
    const values = [
      Decimal.from('0'), Decimal.from('1.50'), Decimal.from('-0.005'), Decimal.from('12345678901234567890123456789012345678'),
      new Uuid('00000000-0000-0000-0000-000000000000'),
      new Datetime({ seconds: 0 }), new Datetime({ seconds: 2 ** 40, nsec: 999_999_999, tzoffset: -720, tzindex: 1 }),
      new Interval(), new Interval({ week: -3, hour: 2 ** 40, nsec: 1, adjust: 'last' }), new Interval({ second: 5, adjust: 'excess' }),
      new BoxErrorValue([
        { type: 'ClientError', file: 'box.cc', line: 10, message: 'boom', errno: 0, code: 32 },
        { type: 'AccessDeniedError', file: 'x.c', line: 1, message: 'no', errno: 2, code: 42, fields: { object_type: 'space' } },
      ]),
      new RawExtension(8, Buffer.from([1, 2, 3])),
    ]
    for (const value of values) {
      const decoded = roundTrip(value)
      expect(decoded).toBeInstanceOf(value.constructor)
      expect(decoded).toEqual(value)
    }
  })

  it('keeps decimal text exact', () => {
    expect(String(Decimal.from('+007.10'))).toBe('7.10')
    expect(String(Decimal.from('.5'))).toBe('0.5')
    expect(String(Decimal.from('1.5e-3'))).toBe('0.0015')
    expect(String(Decimal.from('1.5E3'))).toBe('1500')
    expect(String(Decimal.from('-0.00'))).toBe('0.00')
    expect(String(Decimal.from(0.1))).toBe('0.1')
    expect(String(Decimal.from(-(2n ** 70n)))).toBe('-1180591620717411303424')
    expect(JSON.stringify({ d: Decimal.from('1.10') })).toBe('{"d":"1.10"}')
  })

  it('rejects bad decimal input with InvalidArgumentError', () => {
    for (const bad of ['', 'abc', '1,5', '1.2.3', '--1', '1e', 'NaN', '0x10', '1'.repeat(39), '0.' + '0'.repeat(38) + '1']) {
      expect(() => Decimal.from(bad), bad).toThrow(InvalidArgumentError)
    }
    expect(() => Decimal.from(Number.NaN)).toThrow(InvalidArgumentError)
    expect(() => Decimal.from(Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError)
    expect(() => Decimal.from({} as unknown as string)).toThrow(InvalidArgumentError)
  })

  it('decodes decimals with every sign nibble, a negative scale and 38 digits', () => {
    for (const sign of ['a', 'c', 'e', 'f']) expect(String(decodeAll(bytes(`d6010201234${sign}`)))).toBe('12.34')
    for (const sign of ['b', 'd']) expect(String(decodeAll(bytes(`d6010201234${sign}`)))).toBe('-12.34')
    expect(String(decodeAll(bytes('c7 03 01 fe 01 2c')))).toBe('1200') // scale -2
    expect(String(decodeAll(bytes('c7 03 01 d0 fe 1c')))).toBe('100') // scale -2 as int8
    const digits = '12345678901234567890123456789012345678'
    const decoded = decodeAll(encodeValue(Decimal.from(`-${digits.slice(0, 2)}.${digits.slice(2)}`)))
    expect(String(decoded)).toBe(`-12.${digits.slice(2)}`)
  })

  it('rejects malformed decimal payloads with ProtocolError', () => {
    expect(() => decodeAll(bytes('d5 01 02 a1'))).toThrow(ProtocolError) // digit nibble 0xa
    expect(() => decodeAll(bytes('d5 01 00 12'))).toThrow(ProtocolError) // last nibble is not a sign
    expect(() => decodeAll(bytes('d4 01 02'))).toThrow(ProtocolError) // scale only
  })

  it('converts between Datetime and Date', () => {
    const date = new Date('2024-05-01T12:00:00.123Z')
    const value = Datetime.fromDate(date, 180)
    expect(value.toDate().getTime()).toBe(date.getTime())
    expect(value.toString()).toBe('2024-05-01T15:00:00.123+03:00')
    expect(new Datetime({ seconds: 0 }).toString()).toBe('1970-01-01T00:00:00Z')
    expect(() => Datetime.fromDate(new Date(Number.NaN))).toThrow(InvalidArgumentError)
    expect(() => new Datetime({ seconds: 1.5 })).toThrow(InvalidArgumentError)
  })

  it('decodes an interval without adjust as excess and rejects unknown fields', () => {
    expect(decodeAll(bytes('d4 06 00'))).toEqual(new Interval({ adjust: 'excess' }))
    expect(decodeAll(bytes('c7 03 06 01 00 01'))).toEqual(new Interval({ year: 1, adjust: 'excess' }))
    expect(() => decodeAll(bytes('c7 03 06 01 09 01'))).toThrow(ProtocolError)
    expect(() => decodeAll(bytes('c7 03 06 02 00 01'))).toThrow(ProtocolError)
    expect(() => new Interval({ month: 1.5 })).toThrow(InvalidArgumentError)
  })

  it('decodes an MP_EXT 3 error inside a call result at a nonzero offset', () => {
    // {0: [{0: 'ClientError', 2: 7, 1: 'f.c', 3: 'oops', 4: 0, 5: 32, 6: {custom_type: 'MyError'}}]}
    const payload = bytes(
      '81 00 91 87 00 ab436c69656e744572726f72 02 07 01 a3662e63 03 a46f6f7073 04 00 05 20 06 81 ab637573746f6d5f74797065 a74d794572726f72',
    )
    const value = Buffer.concat([bytes('92 01 c7'), Buffer.from([payload.length, 3]), payload])
    const frame = Buffer.concat([Buffer.alloc(7, 0xee), value, Buffer.alloc(3, 0xee)])
    const [one, error] = decodeValue(frame, 7, 7 + value.length) as [number, BoxErrorValue]
    expect(one).toBe(1)
    expect(error).toBeInstanceOf(BoxErrorValue)
    expect(error.entries).toEqual([{ type: 'ClientError', file: 'f.c', line: 7, message: 'oops', errno: 0, code: 32, fields: { custom_type: 'MyError' } }])
    expect(error.toError()).toBeInstanceOf(ServerError)
    expect(error.toError().codeName).toBe('ER_PROC_LUA')
  })

  it('parses an IPROTO_ERROR stack decoded as object or Map', () => {
    const entry = { type: 'ClientError', file: '', line: 0, message: 'm', errno: 0, code: 3 }
    expect(parseErrorStack({ 0: [{ 0: 'ClientError', 3: 'm', 5: 3, 99: 'ignored' }] })).toEqual([entry])
    expect(parseErrorStack(new Map([[0, [new Map<number, unknown>([[0, 'ClientError'], [3, 'm'], [5, 3]])]]]))).toEqual([entry])
    expect(() => parseErrorStack({ 1: [] })).toThrow(ProtocolError)
  })

  it('decodes unknown extension types to RawExtension', () => {
    const raw = decodeAll(bytes('c7 03 07 010203')) as RawExtension
    expect(raw).toBeInstanceOf(RawExtension)
    expect(raw.type).toBe(7)
    expect([...raw.data]).toEqual([1, 2, 3])
    expect(decodeAll(bytes('d4 08 05'))).toEqual(new RawExtension(8, Buffer.from([5])))
    expect(hex(encodeValue(raw))).toBe('c70307010203')
  })

  it('leaves plain msgpackr usage alone: Date timestamps, unknown types', () => {
    expect(hex(plainPack(new Date(0)))).toBe('d6ff00000000')
    expect(plainUnpack(plainPack(new Date(1000)))).toEqual(new Date(1000))
    expect(() => plainUnpack(bytes('c7 01 07 00'))).toThrow('Unknown extension type 7')
  })
})

describe('decodeValue and skipValue framing', () => {
  it('decodes a value from a sub-range of a larger buffer', () => {
    const value = encodeValue({ a: [1, 'two', 3.5] })
    const frame = Buffer.concat([Buffer.from([0xc1, 0xc1]), value, Buffer.from([0xc1])])
    expect(decodeValue(frame, 2, 2 + value.length)).toEqual({ a: [1, 'two', 3.5] })
  })

  it('throws ProtocolError for every truncation of a value and never hangs', () => {
    const value = encodeValue([1, 'text', Buffer.from([1, 2]), { k: [2 ** 40, 1.5] }, Decimal.from('1.5'), new Uuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8'), 'x'.repeat(40)])
    const padded = Buffer.concat([value, Buffer.alloc(64, 0x92)]) // bytes after `end` must not be used
    for (let end = 1; end < value.length; end++) {
      expect(() => decodeValue(padded, 0, end), `end=${end}`).toThrow(ProtocolError)
      expect(() => skipValue(padded, 0, end), `end=${end}`).toThrow(ProtocolError)
    }
    expect(() => decodeAll(bytes('dd ffffffff'))).toThrow(ProtocolError) // array32 claiming 4 billion items
    expect(() => decodeAll(bytes('c6 ffffffff 00'))).toThrow(ProtocolError)
  })

  it('throws ProtocolError for trailing bytes, empty ranges and out-of-range bounds', () => {
    expect(() => decodeAll(bytes('01 02'))).toThrow(ProtocolError)
    expect(() => decodeValue(bytes('01'), 0, 0)).toThrow(ProtocolError)
    expect(() => decodeValue(bytes('01'), 0, 2)).toThrow(ProtocolError)
  })

  it('finds value boundaries with skipValue', () => {
    const header = encodeValue(new Map([[0, 0], [1, 12345], [5, 80]]))
    const body = encodeValue(new Map<number, unknown>([[0x30, [[1, 'a', Decimal.from('2.5')], [2, 'b', new Uuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8')]]]]))
    const frame = Buffer.concat([header, body])
    const headerEnd = skipValue(frame, 0, frame.length)
    expect(headerEnd).toBe(header.length)
    expect(skipValue(frame, headerEnd, frame.length)).toBe(frame.length)
    expect(decodeValue(frame, headerEnd, frame.length)).toEqual({ '48': [[1, 'a', Decimal.from('2.5')], [2, 'b', new Uuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8')]] })
    expect(() => skipValue(bytes('92 c1 01'), 0, 3)).toThrow(ProtocolError)
  })
})

describe('errorCodeName', () => {
  it('names 2.6 codes and the newer codes the spec lists', () => {
    expect(errorCodeName(0)).toBe('ER_UNKNOWN')
    expect(errorCodeName(3)).toBe('ER_TUPLE_FOUND')
    expect(errorCodeName(47)).toBe('ER_PASSWORD_MISMATCH')
    expect(errorCodeName(109)).toBe('ER_WRONG_SCHEMA_VERSION')
    expect(errorCodeName(148)).toBe('ER_NO_SUCH_INDEX_NAME')
    expect(errorCodeName(211)).toBe('ER_WRONG_QUERY_ID')
    expect(errorCodeName(218)).toBe('ER_TUPLE_METADATA_IS_TOO_BIG')
    expect([225, 226, 229, 230, 231].map(errorCodeName)).toEqual([
      'ER_TXN_ROLLBACK', 'ER_NOT_LEADER', 'ER_UNABLE_TO_PROCESS_IN_STREAM', 'ER_UNABLE_TO_PROCESS_OUT_OF_STREAM', 'ER_TRANSACTION_TIMEOUT',
    ])
    expect([256, 257, 258, 259, 293].map(errorCodeName)).toEqual([
      'ER_PASSWORD_EXPIRED', 'ER_AUTH_DELAY', 'ER_AUTH_REQUIRED', 'ER_SQL_SEQ_SCAN', 'ER_MVCC_UNAVAILABLE',
    ])
    expect(errorCodeName(99999)).toBe('ER_UNKNOWN_99999')
    expect(errorCodeName(-1)).toBe('ER_UNKNOWN_-1')
  })
})
