import { isAscii } from 'node:buffer'
import { CrateDBType } from './col-types.ts'
import { InvalidArgumentError } from './errors.ts'

/**
 * A JSON reader for `_sql` response bodies that decodes result cells by their `col_types`
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types) while it
 * parses, straight from the response bytes.
 *
 * Why not `JSON.parse`: it turns every number into a double, which silently changes BIGINT values above 2^53 and
 * NUMERIC digits and scale (a known crate-python bug, crate/crate-python#826), and its output needs a second pass
 * anyway
 * (timestamps to `Date`, rows to objects). Reading the bytes once, knowing each column's type, gives exact values
 * with no second pass: BIGINT tokens become numbers or bigints as they are read, NUMERIC tokens keep their text,
 * timestamps become `Date`s, and `rowMode: 'object'` rows are built as objects directly.
 *
 * `col_types` comes before `rows` in CrateDB's answers; when a body has them the other way round, the rows are
 * skipped and read again once the types are known. Without `col_types` (servers that were not asked `?types`)
 * every cell is read as a plain JSON value, with integers beyond ±(2^53-1) as bigints.
 *
 * Strictness follows `JSON.parse`: anything it rejects (trailing data, raw control characters in strings, bad
 * escapes, leading zeros, a lone `-`) throws a `SyntaxError` naming the byte offset. Invalid UTF-8 decodes to
 * U+FFFD, as `Buffer#toString('utf8')` does. A `__proto__` key becomes an own property, as with `JSON.parse`.
 *
 * Nesting is read recursively: JSON nested thousands of levels deep (which CrateDB, with its object depth limit,
 * does not send) ends in a RangeError.
 *
 * Cost on Node 24 (`node bench/cratedb/decode.ts`, 100k rows of seven common columns, 13-15 MB): about what
 * `JSON.parse` of the same body takes (0.9-1.2x in `npm run bench -- cratedb`), for exact 64-bit ids and object
 * rows too. Its remaining handicap is the garbage collector: V8's own JSON parser allocates straight into the old
 * generation for sources of 100 KiB or more, while objects made by JavaScript start young and are copied by
 * scavenges.
 */

/**
 * How result values are turned into JavaScript values, per `col_types` id
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types).
 *
 * | type | value |
 * |---|---|
 * | BIGINT (10) | `bigint: 'auto'` (default): number when within ±(2^53-1), else bigint; `'bigint'`: always bigint; `'number'`: always number (may round) |
 * | NUMERIC (22) | exact decimal string as the server wrote it, e.g. `'12345678901234567890.120'` |
 * | TIMESTAMPTZ (11), TIMESTAMP (15), DATE (24) | `timestamps: 'date'` (default): `Date`; `'number'`: epoch ms |
 * | GEO_POINT (13) | `[lon, lat]` |
 * | OBJECT (12/16), GEO_SHAPE (14), ROW (18) | plain objects/arrays; integers beyond 2^53 inside become bigint unless `bigint: 'number'` |
 * | TIMETZ (20) | `[microseconds since midnight, zone offset in seconds]` |
 * | ARRAY `[100, inner]` | array whose elements are decoded as `inner`, at any depth |
 * | everything else | as JSON gives it (strings, numbers, booleans, null) |
 */
export interface DecodeOptions {
  /** BIGINT decoding. Default `'auto'`. */
  bigint?: 'auto' | 'bigint' | 'number'
  /** TIMESTAMP/TIMESTAMPTZ/DATE decoding. Default `'date'`. */
  timestamps?: 'date' | 'number'
  /**
   * Your own decoding per `col_types` id (crate-python's `converter`), replacing the built-in one for that type:
   * the function gets the cell as read before any conversion — plain JSON with integers beyond 2^53 as bigint,
   * NUMERIC as its exact text, timestamps as epoch ms — and returns the value to put in the row; `null` cells
   * stay `null` without a call. Arrays of a converted type are converted element by
   * element. Keys are scalar type ids ({@link CrateDBType}). A converter that throws fails the call.
   *
   * @example
   * // NUMERIC as a decimal library's type, TIMESTAMP as a Temporal.Instant
   * connect(url, { converters: { [CrateDBType.NUMERIC]: (v) => new Decimal(String(v)), [CrateDBType.TIMESTAMPTZ]: (v) => Temporal.Instant.fromEpochMilliseconds(Number(v)) } })
   */
  converters?: Readonly<Partial<Record<number, (value: unknown) => unknown>>>
}

/** {@link DecodeOptions} plus the row shape. */
export interface ReadOptions extends DecodeOptions {
  /** `'array'` (default): rows are arrays in column order; `'object'`: objects keyed by column name. */
  rowMode?: 'array' | 'object'
  /**
   * Builds each entry of a bulk answer's `results` from the entry's `rowcount`, `error` and `error_message`
   * members (`undefined` when absent; other members are skipped), so no intermediate object is made per entry.
   * Entries that are not objects are passed as `(entry, undefined, undefined)`. Without it, `results` is plain JSON.
   */
  bulkItem?: (rowcount: unknown, error: unknown, errorMessage: unknown) => unknown
}

/** The members of an `_sql` answer the driver uses; each is `undefined` when the body does not have it. */
export interface ResultBody {
  cols: unknown
  colTypes: unknown
  /** Rows, decoded by `col_types` when the body had them. */
  rows: unknown
  rowcount: unknown
  duration: unknown
  results: unknown
}

/** How one cell is read. */
const Kind = {
  /** Plain JSON; integers beyond ±(2^53-1) become bigint unless `bigint: 'number'`. */
  Value: 0,
  /** Numbers as doubles, whatever their size (DOUBLE, INTEGER, ...). */
  Double: 1,
  Bigint: 2,
  /** Number tokens as their text. */
  Numeric: 3,
  Timestamp: 4,
  Array: 5,
  /** Plain JSON handed to a user converter (`DecodeOptions.converters`); null stays null. */
  Converted: 6,
} as const
type Kind = (typeof Kind)[keyof typeof Kind]

/** A column's reading plan: its kind, for arrays the plan of the elements, for converted types the converter. */
interface Plan {
  kind: Kind
  inner: Plan | undefined
  convert?: (value: unknown) => unknown
}

const VALUE_PLAN: Plan = { kind: Kind.Value, inner: undefined }
const DOUBLE_PLAN: Plan = { kind: Kind.Double, inner: undefined }
const BIGINT_PLAN: Plan = { kind: Kind.Bigint, inner: undefined }
const NUMERIC_PLAN: Plan = { kind: Kind.Numeric, inner: undefined }
const TIMESTAMP_PLAN: Plan = { kind: Kind.Timestamp, inner: undefined }

function planFor(type: unknown, converters: DecodeOptions['converters']): Plan {
  if (Array.isArray(type)) {
    if (type[0] !== CrateDBType.ARRAY || type.length < 2) return VALUE_PLAN
    const inner = planFor(type[1], converters)
    return inner === VALUE_PLAN ? VALUE_PLAN : { kind: Kind.Array, inner }
  }
  const convert = converters !== undefined && typeof type === 'number' && Object.hasOwn(converters, type) ? converters[type] : undefined
  if (convert !== undefined) {
    if (typeof convert !== 'function') throw new InvalidArgumentError(`converters[${type}] must be a function`)
    return { kind: Kind.Converted, inner: type === CrateDBType.NUMERIC ? NUMERIC_PLAN : VALUE_PLAN, convert }
  }
  switch (type) {
    case CrateDBType.BIGINT:
      return BIGINT_PLAN
    case CrateDBType.NUMERIC:
      return NUMERIC_PLAN
    case CrateDBType.TIMESTAMPTZ:
    case CrateDBType.TIMESTAMP:
    case CrateDBType.DATE:
      return TIMESTAMP_PLAN
    case CrateDBType.BYTE:
    case CrateDBType.DOUBLE:
    case CrateDBType.REAL:
    case CrateDBType.SMALLINT:
    case CrateDBType.INTEGER:
    case CrateDBType.REGCLASS:
      return DOUBLE_PLAN
    default:
      // Text-like types hold strings; OBJECT, GEO_*, ROW, TIMETZ, vectors and unknown ids are plain JSON.
      return VALUE_PLAN
  }
}

const SAFE = Number.MAX_SAFE_INTEGER
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39

type SliceFn = (this: Buffer, start: number, end: number) => string
const proto = Buffer.prototype as unknown as { latin1Slice?: SliceFn; utf8Slice?: SliceFn }
/** Node's internal slice functions skip `toString`'s argument handling; fall back to it if they ever go. */
const latin1Slice: SliceFn = proto.latin1Slice ?? function (this: Buffer, s, e) { return this.toString('latin1', s, e) }
const utf8Slice: SliceFn = proto.utf8Slice ?? function (this: Buffer, s, e) { return this.toString('utf8', s, e) }

/**
 * Where strings come from. The body is parsed as bytes. Short strings of an ASCII body are cut from its text
 * (the cheapest way to make a small string); V8 makes a substring of 13 or more characters a view that keeps
 * its whole parent alive, so longer ones, and any of a non-ASCII body, are decoded from the bytes instead.
 */
const SLICE_COPIES_BELOW = 13

/** Short strings repeat a lot (keys, enum-like values); a small cache saves allocating them again. */
const CACHE_SIZE = 4096

// Shared by all reads: a read runs to its end synchronously, so one at a time uses them.
const stack: unknown[] = []
const cache = new Array<string>(CACHE_SIZE).fill('')

/** Result of reading one number token: its value, or that it needs its text. */
const num = { value: 0, exact: true, integer: true }

class Reader {
  /** The body's bytes: what is parsed. */
  readonly b: Buffer
  /** The body as text when it is ASCII (short strings are cut from it), else empty. */
  readonly t: string
  readonly ascii: boolean
  readonly end: number
  i = 0
  /** BIGINT decoding; switched to `'auto'` while a converted cell is read. */
  bigintMode: 'auto' | 'bigint' | 'number'
  readonly dates: boolean
  /** Value stack for arrays being read: their elements are copied out once the length is known. */
  readonly stack = stack
  sp = 0
  readonly cache = cache

  constructor(b: Buffer, options: DecodeOptions) {
    this.b = b
    this.ascii = isAscii(b)
    this.t = this.ascii ? latin1Slice.call(b, 0, b.length) : ''
    this.end = b.length
    this.bigintMode = options.bigint ?? 'auto'
    this.dates = options.timestamps !== 'number'
  }

  fail(what?: string): never {
    const at = Math.min(this.i, this.end)
    const c = this.b[at]
    const found = c === undefined ? 'the end of the body' : c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCharCode(c)) : `byte 0x${c.toString(16).padStart(2, '0')}`
    throw new SyntaxError(`${what ?? 'Unexpected'} ${found} in JSON at byte ${at}`)
  }

  /** Skips whitespace; returns the next byte (-1 past the end). */
  ws(): number {
    const b = this.b
    let i = this.i
    let c = i < this.end ? b[i]! : -1
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = ++i < this.end ? b[i]! : -1
    this.i = i
    return c
  }

  /** A plain JSON value. */
  value(): unknown {
    const c = this.ws()
    if (c === QUOTE) return this.string()
    if (c === OPEN_ARRAY) return this.array(VALUE_PLAN)
    if (c === OPEN_OBJECT) return this.object()
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.valueNumber()
    return this.literal(c)
  }

  literal(c: number): boolean | null {
    if (c === 0x74 && this.word(0x72, 0x75, 0x65)) return true
    if (c === 0x6e && this.word(0x75, 0x6c, 0x6c)) return null
    if (c === 0x66 && this.word(0x61, 0x6c, 0x73) && this.b[this.i]! === 0x65) {
      this.i++
      return false
    }
    return this.fail()
  }

  /** Matches the three bytes after the current one; advances past them. */
  word(x: number, y: number, z: number): boolean {
    const b = this.b
    const i = this.i
    if (i + 3 >= this.end || b[i + 1]! !== x || b[i + 2]! !== y || b[i + 3]! !== z) return false
    this.i = i + 4
    return true
  }

  /** One cell by its plan. */
  cell(plan: Plan): unknown {
    switch (plan.kind) {
      case Kind.Value:
        return this.value()
      case Kind.Array: {
        const c = this.ws()
        return c === OPEN_ARRAY ? this.array(plan.inner!) : this.value()
      }
      case Kind.Converted: {
        // Converters get exact integers (bigint beyond 2^53) whatever the bigint option says.
        const mode = this.bigintMode
        this.bigintMode = 'auto'
        let v: unknown
        try {
          v = plan.inner === VALUE_PLAN ? this.value() : this.cell(plan.inner!)
        } finally {
          this.bigintMode = mode
        }
        return v === null ? null : plan.convert!(v)
      }
      default: {
        const c = this.ws()
        if (c !== MINUS && (c < ZERO || c > NINE)) return this.value()
        const start = this.i
        this.number()
        if (plan.kind === Kind.Double) return num.exact ? num.value : Number(this.scratchToken(start))
        if (plan.kind === Kind.Timestamp) {
          const ms = num.exact ? num.value : Number(this.scratchToken(start))
          return this.dates ? new Date(ms) : ms
        }
        if (plan.kind === Kind.Numeric) return this.token(start)
        return this.bigint(start)
      }
    }
  }

  /** The text of the token from `start` to the current position, to be converted and dropped at once. */
  scratchToken(start: number): string {
    return this.ascii ? this.t.slice(start, this.i) : latin1Slice.call(this.b, start, this.i)
  }

  /** The text of the token from `start` to the current position (ASCII: number tokens), to be kept. */
  token(start: number): string {
    // Long tokens (NUMERIC values) are kept by callers: copy them rather than slice the body text (see SLICE_COPIES_BELOW).
    return this.ascii && this.i - start < SLICE_COPIES_BELOW ? this.t.slice(start, this.i) : latin1Slice.call(this.b, start, this.i)
  }

  /** The BIGINT number just read (from `start`) in the configured mode. */
  bigint(start: number): number | bigint {
    const mode = this.bigintMode
    if (num.exact && num.integer) return mode === 'bigint' ? BigInt(num.value) : num.value
    const text = this.scratchToken(start)
    if (mode === 'number' || !num.integer) return Number(text)
    return BigInt(text)
  }

  /** A number in a plain value: a double, or a bigint for an integer beyond ±(2^53-1). */
  valueNumber(): number | bigint {
    const start = this.i
    this.number()
    if (num.exact) return num.value
    const text = this.scratchToken(start)
    if (num.integer && this.bigintMode !== 'number') return BigInt(text)
    return Number(text)
  }

  /**
   * Reads the number token at `i` into {@link num}: `exact` when its value was computed exactly here (at most
   * 2^53 in mantissa digits and a power of ten a double holds exactly, so one multiplication or division is
   * correctly rounded); otherwise the caller converts the token's text.
   */
  number(): void {
    const b = this.b
    const end = this.end
    let j = this.i
    let neg = false
    if (b[j]! === MINUS) {
      neg = true
      j++
    }
    let c = j < end ? b[j]! : -1
    let m = 0
    if (c === ZERO) {
      c = ++j < end ? b[j]! : -1
    } else if (c > ZERO && c <= NINE) {
      do {
        m = m * 10 + (c - ZERO)
        c = ++j < end ? b[j]! : -1
      } while (c >= ZERO && c <= NINE)
    } else {
      this.i = j
      this.fail('Expected a digit, found')
    }
    let exp = 0
    let integer = true
    if (c === DOT) {
      integer = false
      c = ++j < end ? b[j]! : -1
      if (c < ZERO || c > NINE) {
        this.i = j
        this.fail('Expected a digit, found')
      }
      do {
        m = m * 10 + (c - ZERO)
        exp--
        c = ++j < end ? b[j]! : -1
      } while (c >= ZERO && c <= NINE)
    }
    if (c === 0x65 || c === 0x45) {
      integer = false
      c = ++j < end ? b[j]! : -1
      let negExp = false
      if (c === MINUS || c === PLUS) {
        negExp = c === MINUS
        c = ++j < end ? b[j]! : -1
      }
      if (c < ZERO || c > NINE) {
        this.i = j
        this.fail('Expected a digit, found')
      }
      let e = 0
      do {
        if (e < 100000) e = e * 10 + (c - ZERO)
        c = ++j < end ? b[j]! : -1
      } while (c >= ZERO && c <= NINE)
      // A capped exponent is far outside the fast path's ±22 whatever the digits: the token's text decides.
      exp += e >= 100000 ? (negExp ? -1e6 : 1e6) : negExp ? -e : e
    }
    this.i = j
    num.integer = integer
    if (m <= SAFE) {
      if (exp === 0) {
        num.exact = true
        num.value = neg ? -m : m
        return
      }
      if (exp < 0 && exp >= -22) {
        const v = m / POW10[-exp]!
        num.exact = true
        num.value = neg ? -v : v
        return
      }
      if (exp > 0 && exp <= 22 && m * POW10[exp]! <= SAFE) {
        // Exact product: stays an integer a double holds.
        num.exact = true
        num.value = neg ? -m * POW10[exp]! : m * POW10[exp]!
        return
      }
    }
    num.exact = false
  }

  string(): string {
    const b = this.b
    const start = this.i + 1
    let j = start
    const end = this.end
    let c = j < end ? b[j]! : -1
    let h = 0
    while (c !== QUOTE && c !== BACKSLASH && c >= 0x20 && c < 0x80) {
      h = (Math.imul(h, 31) + c) | 0
      c = ++j < end ? b[j]! : -1
    }
    if (c === QUOTE) {
      this.i = j + 1
      const len = j - start
      if (!this.ascii || len >= SLICE_COPIES_BELOW) return latin1Slice.call(b, start, j)
      return len <= 8 ? this.short(start, len, h) : this.t.slice(start, j)
    }
    return this.slowString(start, j)
  }

  /** A short string of an ASCII body (`hash` of its bytes), from the cache when the same bytes were seen before. */
  short(start: number, len: number, hash: number): string {
    if (len === 0) return ''
    const b = this.b
    const h = (hash ^ (hash >>> 12) ^ len) & (CACHE_SIZE - 1)
    const cached = this.cache[h]!
    if (cached.length === len) {
      let k = 0
      while (k < len && cached.charCodeAt(k) === b[start + k]!) k++
      if (k === len) return cached
    }
    const s = this.t.slice(start, start + len)
    this.cache[h] = s
    return s
  }

  /** A string with escapes or non-ASCII bytes (or an error); `j` is where the fast scan stopped. */
  slowString(start: number, j: number): string {
    const b = this.b
    const end = this.end
    let out = ''
    let seg = start
    for (;;) {
      if (j >= end) {
        this.i = j
        this.fail('Unterminated string:')
      }
      const c = b[j]!
      if (c === QUOTE) {
        this.i = j + 1
        return seg === j ? out : out + utf8Slice.call(b, seg, j)
      }
      if (c < 0x20) {
        this.i = j
        this.fail('Bad control character')
      }
      if (c !== BACKSLASH) {
        j++
        continue
      }
      if (seg < j) out += utf8Slice.call(b, seg, j)
      const e = j + 1 < end ? b[j + 1]! : -1
      j += 2
      switch (e) {
        case QUOTE:
          out += '"'
          break
        case BACKSLASH:
          out += '\\'
          break
        case 0x2f:
          out += '/'
          break
        case 0x62:
          out += '\b'
          break
        case 0x66:
          out += '\f'
          break
        case 0x6e:
          out += '\n'
          break
        case 0x72:
          out += '\r'
          break
        case 0x74:
          out += '\t'
          break
        case 0x75: {
          let code = 0
          for (let k = 0; k < 4; k++) {
            const h = j + k < end ? b[j + k]! : -1
            const d = h >= ZERO && h <= NINE ? h - ZERO : h >= 0x61 && h <= 0x66 ? h - 0x57 : h >= 0x41 && h <= 0x46 ? h - 0x37 : -1
            if (d < 0) {
              this.i = j + k
              this.fail('Bad Unicode escape:')
            }
            code = code * 16 + d
          }
          out += String.fromCharCode(code)
          j += 4
          break
        }
        default:
          this.i = j - 1
          this.fail('Bad escaped character')
      }
      seg = j
    }
  }

  /** An array whose elements follow `plan` (plain values for {@link VALUE_PLAN}). `i` is at `[`. */
  array(plan: Plan): unknown[] {
    if (!this.openArray()) return []
    const stack = this.stack
    const base = this.sp
    let numbers = true
    do {
      const v = plan === VALUE_PLAN ? this.value() : this.cell(plan)
      stack[this.sp++] = v
      if (numbers && typeof v !== 'number') numbers = false
    } while (this.nextElement('an array element'))
    const n = this.sp - base
    this.sp = base
    // Arrays of numbers (GEO_POINT, vectors, numeric arrays) are built as arrays of unboxed doubles, as
    // JSON.parse builds them: no heap object per element.
    return numbers ? numberArray(stack, base, n) : fromStack(stack, base, n)
  }

  /** A plain JSON object. `i` is at `{`. */
  object(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    if (this.openObject()) {
      do {
        const key = this.memberKey()
        const v = this.value()
        if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true })
        else out[key] = v
      } while (this.nextMember())
    }
    return out
  }

  /**
   * Walks the members of the object at `i` (at `{`): `member(key)` is called with `i` at each value and must
   * read or skip it.
   */
  members(member: (key: string) => void): void {
    if (!this.openObject()) return
    do member(this.memberKey())
    while (this.nextMember())
  }

  /** Steps over `{` (at `i`); `false` when the object is empty (its `}` consumed too). */
  openObject(): boolean {
    this.i++
    if (this.ws() !== CLOSE_OBJECT) return true
    this.i++
    return false
  }

  /** Reads a member's `"key":`; `i` ends at its value. */
  memberKey(): string {
    if (this.ws() !== QUOTE) this.fail('Expected a property name, found')
    const key = this.string()
    if (this.ws() !== COLON) this.fail("Expected ':' after a property name, found")
    this.i++
    return key
  }

  /** Steps over `[` (at `i`); `false` when the array is empty (its `]` consumed too). */
  openArray(): boolean {
    this.i++
    if (this.ws() !== CLOSE_ARRAY) return true
    this.i++
    return false
  }

  /** After an element (`what`, for the error): consumes `,` (`true`: another follows) or `]` (`false`). */
  nextElement(what: string): boolean {
    const c = this.ws()
    this.i++
    if (c === COMMA) return true
    if (c === CLOSE_ARRAY) return false
    this.i--
    return this.fail(`Expected ',' or ']' after ${what}, found`)
  }

  /** After a member's value: consumes `,` (`true`: another member follows) or `}` (`false`). */
  nextMember(): boolean {
    const c = this.ws()
    this.i++
    if (c === COMMA) return true
    if (c === CLOSE_OBJECT) return false
    this.i--
    return this.fail("Expected ',' or '}' after a property value, found")
  }

  /** Skips one value without building it (rows seen before `col_types`). */
  skip(): void {
    const c = this.ws()
    if (c === QUOTE) {
      this.string()
      return
    }
    if (c === OPEN_OBJECT) {
      this.members(() => this.skip())
      return
    }
    if (c === OPEN_ARRAY) {
      if (this.openArray()) {
        do this.skip()
        while (this.nextElement('an array element'))
      }
      return
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) this.number()
    else this.literal(c)
  }

  /** The `rows` array, each row read with the column plans; `i` is at the value. */
  rows(plans: readonly Plan[], cols: readonly string[] | undefined): unknown[] {
    if (this.ws() !== OPEN_ARRAY) return this.value() as unknown[]
    const out: unknown[] = []
    if (!this.openArray()) return out
    const asObjects = cols !== undefined
    const protoKey = asObjects && cols.includes('__proto__')
    do {
      if (this.ws() !== OPEN_ARRAY) out.push(this.value())
      else out.push(asObjects ? this.objectRow(plans, cols, protoKey) : this.arrayRow(plans))
    } while (this.nextElement('a row'))
    return out
  }

  arrayRow(plans: readonly Plan[]): unknown[] {
    if (!this.openArray()) return []
    const stack = this.stack
    const base = this.sp
    const n = plans.length
    let k = 0
    do {
      stack[this.sp++] = k < n ? this.cell(plans[k]!) : this.value()
      k++
    } while (this.nextElement('a cell'))
    this.sp = base
    return fromStack(stack, base, k)
  }

  objectRow(plans: readonly Plan[], cols: readonly string[], protoKey: boolean): Record<string, unknown> {
    const row: Record<string, unknown> = {}
    if (!this.openArray()) return row
    const n = plans.length
    let k = 0
    do {
      const v = k < n ? this.cell(plans[k]!) : this.value()
      if (k < cols.length) {
        const key = cols[k]!
        if (protoKey && key === '__proto__') Object.defineProperty(row, key, { value: v, enumerable: true, writable: true, configurable: true })
        else row[key] = v
      }
      k++
    } while (this.nextElement('a cell'))
    return row
  }

  /** A bulk answer's `results` array, each entry built by `item`; `i` is at `[`. */
  bulkResults(item: NonNullable<ReadOptions['bulkItem']>): unknown[] {
    const out: unknown[] = []
    if (!this.openArray()) return out
    do {
      if (this.ws() !== OPEN_OBJECT) {
        out.push(item(this.value(), undefined, undefined))
        continue
      }
      let rowcount: unknown
      let error: unknown
      let errorMessage: unknown
      this.members((key) => {
        if (key === 'rowcount') rowcount = this.value()
        else if (key === 'error') error = this.value()
        else if (key === 'error_message') errorMessage = this.value()
        else this.skip()
      })
      out.push(item(rowcount, error, errorMessage))
    } while (this.nextElement('a bulk result'))
    return out
  }

  /** Requires nothing but whitespace after the top-level value. */
  finish(): void {
    if (this.ws() !== -1) this.fail('Unexpected non-whitespace')
  }

  /** Drops the stack's references to values of this body (also after a failure). */
  release(): void {
    this.stack.length = 0
  }
}

/** An exact-size array of `stack[base, base + n)`. */
function fromStack(stack: unknown[], base: number, n: number): unknown[] {
  switch (n) {
    case 1:
      return [stack[base]]
    case 2:
      return [stack[base], stack[base + 1]]
    case 3:
      return [stack[base], stack[base + 1], stack[base + 2]]
    default:
      return stack.slice(base, base + n)
  }
}

function numberArray(stack: unknown[], base: number, n: number): number[] {
  if (n === 2) {
    const a = stack[base] as number
    const b = stack[base + 1] as number
    return [a, b]
  }
  const out: number[] = []
  for (let k = base; k < base + n; k++) out.push(stack[k] as number)
  return out
}

/**
 * Reads a whole body as a plain JSON value: integers beyond ±(2^53-1) become bigint (unless `bigint: 'number'`),
 * everything else as `JSON.parse` gives it.
 *
 * @throws SyntaxError when the body is not JSON.
 */
export function readJson(body: Buffer, options: DecodeOptions = {}): unknown {
  const reader = new Reader(body, options)
  try {
    const value = reader.value()
    reader.finish()
    return value
  } finally {
    reader.release()
  }
}

/**
 * Reads an `_sql` answer. When the body is a JSON object, its `rows` are decoded by its `col_types` (see
 * {@link DecodeOptions}); `rowMode: 'object'` keys them by `cols`. A body that is JSON but not an object comes
 * back as `undefined`.
 *
 * @throws SyntaxError when the body is not JSON.
 */
export function readResultBody(body: Buffer, options: ReadOptions = {}): ResultBody | undefined {
  const r = new Reader(body, options)
  try {
    return readResult(r, options)
  } finally {
    r.release()
  }
}

function readResult(r: Reader, options: ReadOptions): ResultBody | undefined {
  if (r.ws() !== OPEN_OBJECT) {
    r.value()
    r.finish()
    return undefined
  }
  const out: ResultBody = { cols: undefined, colTypes: undefined, rows: undefined, rowcount: undefined, duration: undefined, results: undefined }
  let plans: Plan[] | undefined
  let rowsAt = -1
  const rowsFor = (): unknown[] => {
    const cols = Array.isArray(out.cols) && options.rowMode === 'object' ? (out.cols as string[]) : undefined
    return r.rows(plans ?? [], cols)
  }
  r.members((key) => {
    switch (key) {
      case 'rows':
        // Rows are read once what decodes them is known: col_types, and cols for object rows. A later `rows` wins,
        // as with JSON.parse.
        if ((plans === undefined && out.colTypes === undefined) || (options.rowMode === 'object' && out.cols === undefined)) {
          rowsAt = r.i
          r.skip()
        } else {
          rowsAt = -1
          out.rows = rowsFor()
        }
        break
      case 'col_types':
        out.colTypes = r.value()
        plans = Array.isArray(out.colTypes) ? out.colTypes.map((t) => planFor(t, options.converters)) : undefined
        break
      case 'cols':
        out.cols = r.value()
        break
      case 'rowcount':
        out.rowcount = r.value()
        break
      case 'duration':
        out.duration = r.value()
        break
      case 'results':
        out.results = options.bulkItem !== undefined && r.ws() === OPEN_ARRAY ? r.bulkResults(options.bulkItem) : r.value()
        break
      default:
        r.skip()
    }
  })
  r.finish()
  if (rowsAt >= 0) {
    // `rows` came before `col_types` or `cols` (or there are none): read them now that everything else is known.
    r.i = rowsAt
    out.rows = rowsFor()
  }
  return out
}
