/**
 * Lossless, fast parsing of `_sql` response bodies.
 *
 * `JSON.parse` turns every number into a double, which silently changes BIGINT values above 2^53 and NUMERIC
 * values (digits and scale) — a known crate-python bug (spec §6). Most bodies hold no such number, so:
 *
 * 1. If the body has no integer token of 16+ digits (every integer of at most 15 digits is exact as a double;
 *    doubles are printed by the server with a fraction or exponent and parse the same either way) and no NUMERIC
 *    column, plain `JSON.parse` is exact: use it. The check samples every 16th byte of the raw body (a run of 16
 *    digits must contain a sampled byte), which costs about 7% of the parse.
 * 2. Otherwise numbers that need their text are rewritten, in the body text, as JSON strings holding a marker
 *    character and the number's text; then plain `JSON.parse`; then one breadth-first walk turns the marked strings
 *    into {@link RawNumber}s, which the column decoder turns into bigint, exact NUMERIC strings or numbers, per
 *    column type (also inside objects and arrays). Which numbers, and how they are found ({@link exactPlan}):
 *    - `col_types` without NUMERIC: only integers beyond ±(2^53-1) (any other number decodes to the double
 *      `JSON.parse` gives anyway). Found by sampling, like the check in 1., and rewritten speculatively
 *      ({@link markLongIntegersSpeculatively}); if a rewritten run was inside a string, `JSON.parse` fails and a
 *      full scan ({@link markInexactNumbers}) decides.
 *    - NUMERIC columns: one scan that follows the structure ({@link markNumericCells}) and also rewrites every
 *      number in NUMERIC cells whose double would print differently (`1.50`, `1E+3`, 17+ digits).
 *    - no `col_types`: one scan that rewrites every number whose double would print differently, anywhere.
 *
 * The marker is a control character whose `\u00XX` escape does not occur in the body, so no string of the body
 * can start with it (JSON strings cannot hold raw control characters). Number tokens are only rewritten where
 * they are valid JSON numbers, and a marked token that ends up as an object key (invalid JSON) makes the parse
 * fail as it would have, so invalid bodies stay invalid.
 *
 * Cost on Node 24 (`node bench/cratedb/decode.ts`; 100k rows of seven common columns, 15 MB, 19-digit ids): the
 * parse step takes about what plain `JSON.parse` takes (1.0-1.5x, ~0.2 s), where the previous exact path —
 * `JSON.parse` with a `context.source` reviver — took 7-12x (1.4-2 s). A NUMERIC body with a value to keep in
 * every row (100k rows, 3.5 MB): 3-5x plain `JSON.parse` (70-105 ms), against 15-25x (350-535 ms) with the reviver.
 */

/** A JSON number kept as its source text because a double would not reproduce it exactly. */
export class RawNumber {
  readonly source: string
  constructor(source: string) {
    this.source = source
  }

  /** `true` when the text is an integer literal (no fraction, no exponent). */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.source)
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown

/** Fallback when no marker character is free (a body escaping all of them): keep source text via a reviver. */
const exactReviver: Reviver = function (_key, value, context) {
  if (typeof value === 'number') {
    const source = context?.source
    if (source !== undefined && !exactAsDouble(source, value)) return new RawNumber(source)
  }
  return value
}

const parseWithReviver = JSON.parse as unknown as (text: string, reviver: Reviver) => unknown

let sourceTextSupported: boolean | undefined

/** `true` when this runtime passes the source text to JSON.parse revivers (Node 21+). */
export function jsonSourceTextSupported(): boolean {
  if (sourceTextSupported === undefined) {
    let seen: string | undefined
    parseWithReviver('[1]', function (_k, v, ctx) {
      if (typeof v === 'number') seen = ctx?.source
      return v
    })
    sourceTextSupported = seen === '1'
  }
  return sourceTextSupported
}

/**
 * `true` when the double `value` parsed from `source` stands for exactly that token: it prints back as the same
 * text, and an integer token is within ±(2^53-1) (beyond, a double that prints the same, like 9000000000000100000,
 * may still be a different integer).
 */
function exactAsDouble(source: string, value: number): boolean {
  if (String(value) !== source) return false
  return Number.isSafeInteger(value) || !/^-?\d+$/.test(source)
}

/**
 * The text of the `col_types` array of a result body (`[10,[100,22]]`), or `undefined` when the body has none.
 * CrateDB writes `cols`, `col_types`, then `rows`, so this only looks at the head of the body.
 */
export function colTypesText(text: string): string | undefined {
  const start = text.indexOf('"col_types":')
  if (start < 0 || start > 1 << 20) return undefined
  let i = text.indexOf('[', start)
  if (i < 0) return undefined
  const from = i
  let depth = 0
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x5b) depth++
    else if (c === 0x5d && --depth === 0) return text.slice(from, i + 1)
  }
  return undefined
}

const NUMERIC_ID = /(?:^|[^\d])22(?:[^\d]|$)/

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/**
 * `true` when the raw body holds a run of 16+ digits that is an integer token (not after a `.`, not followed by
 * `.`/`e`/`E`): a value a double may not hold exactly. Digit runs inside strings also count (harmless: the
 * exact path is merely slower). Samples every 16th byte; each byte is looked at most about twice.
 */
export function hasLongInteger(body: Uint8Array): boolean {
  const n = body.length
  let i = 15
  while (i < n) {
    if (!isDigit(body[i]!)) {
      i += 16
      continue
    }
    let start = i
    while (start > 0 && isDigit(body[start - 1]!)) start--
    let end = i + 1
    while (end < n && isDigit(body[end]!)) end++
    if (end - start >= 16) {
      const before = start > 0 ? body[start - 1] : 0
      const after = end < n ? body[end] : 0
      if (before !== 0x2e && after !== 0x2e && after !== 0x65 && after !== 0x45) return true
    }
    i = end + 16
  }
  return false
}

/**
 * `true` when a body must be parsed with source access: it has an integer token that may not fit a double, or a
 * NUMERIC (22) column whose values must keep their exact text.
 */
export function needsExactParse(body: Uint8Array, text: string): boolean {
  return exactPlan(body, text) !== undefined
}

/**
 * How a body must be parsed exactly; `undefined` when plain `JSON.parse` is exact.
 * - `integersOnly`: only integer tokens beyond ±(2^53-1) need their text (the body has `col_types` without
 *   NUMERIC: every other number decodes to the double `JSON.parse` gives anyway).
 * - otherwise numbers a double would not reproduce need their text too: in the cells of the NUMERIC columns
 *   (`numericColumns`, from `col_types`), or anywhere when there are no usable `col_types` to tell.
 */
export interface ExactPlan {
  integersOnly: boolean
  numericColumns?: boolean[]
}

const NUMERIC_TYPE = 22
const ARRAY_TYPE = 100

function holdsNumeric(type: unknown): boolean {
  return type === NUMERIC_TYPE || (Array.isArray(type) && type[0] === ARRAY_TYPE && holdsNumeric(type[1]))
}

/** Which columns are NUMERIC or arrays of NUMERIC, from the `col_types` text; `undefined` if it does not parse. */
function numericColumnsOf(typesText: string): boolean[] | undefined {
  try {
    const types: unknown = JSON.parse(typesText)
    return Array.isArray(types) ? types.map(holdsNumeric) : undefined
  } catch {
    return undefined
  }
}

export function exactPlan(body: Uint8Array, text: string): ExactPlan | undefined {
  const types = colTypesText(text)
  if (types !== undefined && NUMERIC_ID.test(types)) {
    const numericColumns = numericColumnsOf(types)
    return numericColumns === undefined ? { integersOnly: false } : { integersOnly: false, numericColumns }
  }
  if (!hasLongInteger(body)) return undefined
  return { integersOnly: types !== undefined }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39
const LOWER_E = 0x65
const UPPER_E = 0x45

/**
 * Control characters that can serve as the marker: none of them has a short escape (`\b \t \n \f \r`), so a
 * body string can only hold one through a `\u00XX` escape, which {@link pickMarker} looks for.
 */
const MARKER_CANDIDATES = [0, 1, 2, 3, 4, 5, 6, 7, 0x0b, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f]

/** A marker character code whose escape does not occur in `text`, or -1 when every candidate does. */
export function pickMarker(text: string): number {
  for (const code of MARKER_CANDIDATES) {
    const hex = code.toString(16).padStart(2, '0')
    if (!text.includes(`\\u00${hex}`) && !text.includes(`\\u00${hex.toUpperCase()}`)) return code
  }
  return -1
}

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER) // 16 digits

/** `true` when the digits `text[from, to)` (no sign, no leading zero) exceed `Number.MAX_SAFE_INTEGER`. */
function digitsBeyondSafe(text: string, from: number, to: number): boolean {
  const count = to - from
  if (count !== MAX_SAFE_DIGITS.length) return count > MAX_SAFE_DIGITS.length
  for (let k = 0; k < count; k++) {
    const a = text.charCodeAt(from + k)
    const b = MAX_SAFE_DIGITS.charCodeAt(k)
    if (a !== b) return a > b
  }
  return false
}

/**
 * `true` when the number token `text[start, end)` parses to a double that stands for exactly that token (see
 * {@link exactAsDouble}). Decides the common shapes from the digits alone: integers within ±(2^53-1) other than
 * `-0`, and decimals without exponent of at most 15 significant digits, no trailing zero and a magnitude of at
 * least 1e-6 — such a decimal is the shortest text of its double (no two of them parse to the same double) and
 * prints back unchanged. Anything else (rare) is checked by printing the double.
 */
function tokenExact(text: string, start: number, intStart: number, intEnd: number, fracEnd: number, end: number): boolean {
  const intDigits = intEnd - intStart
  if (end === intEnd) {
    if (intDigits === 1) return intStart === start || text.charCodeAt(intStart) !== ZERO // "-0" prints as "0"
    return !digitsBeyondSafe(text, intStart, intEnd)
  }
  if (fracEnd === end) {
    if (text.charCodeAt(end - 1) === ZERO) return false // a trailing fraction zero never prints
    let significant: number
    if (intDigits === 1 && text.charCodeAt(intStart) === ZERO) {
      let k = intEnd + 1
      while (k < end && text.charCodeAt(k) === ZERO) k++
      significant = k - intEnd - 1 < 6 ? end - k : 99 // below 1e-6 a double prints with an exponent
    } else {
      significant = intDigits + (end - intEnd - 1)
    }
    if (significant <= 15) return true
  }
  const source = text.slice(start, end)
  return exactAsDouble(source, Number(source))
}

/** The text that opens a marked number: a JSON string's quote and the `\u00XX` escape of `marker`. */
function markerOpen(marker: number): string {
  return `"\\u00${marker.toString(16).padStart(2, '0')}`
}

/** The index after the string whose opening quote is at `i`: its content cannot hold a raw quote, and a backslash escapes the next character. */
function skipString(text: string, i: number): number {
  const n = text.length
  let c: number
  i++
  while (i < n && (c = text.charCodeAt(i)) !== QUOTE) i += c === BACKSLASH ? 2 : 1
  return i + 1
}

/**
 * The parts of the number token last read by {@link scanNumber}: where its integer digits and its fraction end,
 * and whether it is a valid JSON number. One shared object, so that scanning allocates nothing per token.
 */
const token = { intEnd: 0, fracEnd: 0, valid: true }

/**
 * Reads the number token `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` whose integer digits start at
 * `intStart` (after the minus, if any), filling {@link token}. Returns where the token ends, or -1 when no digit
 * starts there (a lone minus: `JSON.parse` rejects it). Invalid fraction or exponent syntax is consumed and flagged
 * in `token.valid`.
 */
function scanNumber(text: string, intStart: number): number {
  const n = text.length
  let j = intStart
  let c = text.charCodeAt(j)
  if (c === ZERO) {
    j++
  } else if (c > ZERO && c <= NINE) {
    j++
    while (j < n && (c = text.charCodeAt(j)) >= ZERO && c <= NINE) j++
  } else {
    return -1
  }
  const intEnd = j
  let valid = true
  c = text.charCodeAt(j)
  if (c === DOT) {
    j++
    while (j < n && (c = text.charCodeAt(j)) >= ZERO && c <= NINE) j++
    valid = j > intEnd + 1
  }
  token.fracEnd = j
  if (c === LOWER_E || c === UPPER_E) {
    j++
    c = text.charCodeAt(j)
    if (c === PLUS || c === MINUS) j++
    const digits = j
    while (j < n && (c = text.charCodeAt(j)) >= ZERO && c <= NINE) j++
    valid &&= j > digits
  }
  token.intEnd = intEnd
  token.valid = valid
  return j
}

/** `true` when the token `text[intStart, end)` whose integer digits end at `intEnd` is an integer beyond ±(2^53-1). */
function longInteger(text: string, intStart: number, intEnd: number, end: number): boolean {
  return end === intEnd && intEnd - intStart >= MAX_SAFE_DIGITS.length && digitsBeyondSafe(text, intStart, intEnd)
}

/**
 * Collects the rewrites of one scan: each marked token becomes a JSON string of the marker and its text. Appending
 * builds a rope (no copying); `JSON.parse` flattens it once.
 */
class Rewrite {
  readonly text: string
  readonly open: string
  out = ''
  last = 0
  marked = 0

  constructor(text: string, marker: number) {
    this.text = text
    this.open = markerOpen(marker)
  }

  /** Marks the token `text[start, end)`. */
  mark(start: number, end: number): void {
    this.out += this.text.slice(this.last, start) + this.open + this.text.slice(start, end) + '"'
    this.last = end
    this.marked++
  }

  /** The rewritten text and how many tokens were marked (`text` itself when none). */
  result(): { text: string; marked: number } {
    if (this.marked === 0) return { text: this.text, marked: 0 }
    return { text: this.out + this.text.slice(this.last), marked: this.marked }
  }
}

/**
 * Scans `text` once, outside strings, for number tokens a double would not reproduce and rewrites each as a JSON
 * string: the `marker` character, then the token's text. With `integersOnly`, only integer tokens beyond
 * ±(2^53-1) count; otherwise every token {@link tokenExact} rejects. Returns the rewritten text and how many
 * tokens it rewrote (`text` itself when none). Invalid number syntax is left alone for `JSON.parse` to reject.
 */
export function markInexactNumbers(text: string, marker: number, integersOnly = false): { text: string; marked: number } {
  const n = text.length
  const rewrite = new Rewrite(text, marker)
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      i = skipString(text, i)
      continue
    }
    if (c > NINE || (c < ZERO && c !== MINUS)) {
      i++
      continue
    }
    const start = i
    const intStart = c === MINUS ? i + 1 : i
    const end = scanNumber(text, intStart)
    if (end < 0) {
      i = intStart
      continue
    }
    i = end
    const inexact = integersOnly
      ? longInteger(text, intStart, token.intEnd, end)
      : token.valid && !tokenExact(text, start, intStart, token.intEnd, token.fracEnd, end)
    if (inexact) rewrite.mark(start, end)
  }
  return rewrite.result()
}

/**
 * Like {@link markInexactNumbers}, for a result body with NUMERIC columns: follows the structure (depth, and the
 * cell index inside the top-level `rows` array) and applies the full check only to numbers inside cells of the
 * columns flagged in `numericColumns`; everywhere else only integers beyond ±(2^53-1) are rewritten.
 */
export function markNumericCells(text: string, marker: number, numericColumns: readonly boolean[]): { text: string; marked: number } {
  const n = text.length
  const rewrite = new Rewrite(text, marker)
  let depth = 0
  let inRows = false
  let cell = 0
  let lastKey = -1
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      if (depth === 1) lastKey = i
      i = skipString(text, i)
      continue
    }
    if (c === 0x5b /* [ */) {
      depth++
      if (depth === 2 && lastKey >= 0 && text.startsWith('"rows"', lastKey)) inRows = true
      else if (depth === 3) cell = 0
      i++
      continue
    }
    if (c === 0x7b /* { */) {
      depth++
      i++
      continue
    }
    if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth === 2) inRows = false
      depth--
      i++
      continue
    }
    if (c === 0x2c /* , */) {
      if (depth === 3) cell++
      i++
      continue
    }
    if (c > NINE || (c < ZERO && c !== MINUS)) {
      i++
      continue
    }
    const start = i
    const intStart = c === MINUS ? i + 1 : i
    const end = scanNumber(text, intStart)
    if (end < 0) {
      i = intStart
      continue
    }
    i = end
    const numeric = inRows && depth >= 3 && numericColumns[cell] === true
    const inexact = numeric
      ? token.valid && !tokenExact(text, start, intStart, token.intEnd, token.fracEnd, end)
      : longInteger(text, intStart, token.intEnd, end)
    if (inexact) rewrite.mark(start, end)
  }
  return rewrite.result()
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/**
 * Integers-only marking without a full scan: finds runs of 16+ digits by sampling every 16th character (a run of
 * 16 digits must contain a sampled one) and rewrites those that look like integer tokens beyond ±(2^53-1) — after
 * `[`, `,`, `:` or at the start, before `,`, `]`, `}` or at the end (whitespace allowed), no leading zero. Such a
 * run may still sit inside a string (`"[12345678901234567890]"`); the rewrite then puts a quote and a backslash
 * into the string's place, which ends the string early and leaves a backslash outside any string: `JSON.parse`
 * always rejects that, and the caller falls back to {@link markInexactNumbers}.
 */
export function markLongIntegersSpeculatively(text: string, marker: number): { text: string; marked: number } {
  const n = text.length
  const rewrite = new Rewrite(text, marker)
  let i = 15
  while (i < n) {
    let c = text.charCodeAt(i)
    if (c < ZERO || c > NINE) {
      i += 16
      continue
    }
    let from = i
    while (from > 0 && (c = text.charCodeAt(from - 1)) >= ZERO && c <= NINE) from--
    let to = i + 1
    while (to < n && (c = text.charCodeAt(to)) >= ZERO && c <= NINE) to++
    i = to + 16
    if (to - from < MAX_SAFE_DIGITS.length || text.charCodeAt(from) === ZERO || !digitsBeyondSafe(text, from, to)) continue
    const start = from > 0 && text.charCodeAt(from - 1) === MINUS ? from - 1 : from
    let b = start - 1
    while (b >= 0 && isSpace(text.charCodeAt(b))) b--
    if (b >= 0 && (c = text.charCodeAt(b)) !== 0x5b && c !== 0x2c && c !== 0x3a) continue // [ , :
    let a = to
    while (a < n && isSpace(text.charCodeAt(a))) a++
    if (a < n && (c = text.charCodeAt(a)) !== 0x2c && c !== 0x5d && c !== 0x7d) continue // , ] }
    rewrite.mark(start, to)
  }
  return rewrite.result()
}

function markedToRaw(value: string): RawNumber {
  return new RawNumber(value.slice(1))
}

/**
 * Replaces the `marked` strings that start with `marker` inside a parsed value by {@link RawNumber}s (objects and
 * arrays updated in place). Breadth-first, stopping once all are found: markers in the cells of result rows are
 * done before any object or array inside a cell is visited. Returns the new root.
 *
 * @throws SyntaxError when not all of them were values (one was an object key: the body was not valid JSON).
 */
export function restoreMarked(root: unknown, marker: number, marked: number): unknown {
  if (typeof root === 'string') {
    if (marked === 1 && root.charCodeAt(0) === marker) return markedToRaw(root)
  }
  let left = marked
  const queue: object[] = []
  if (root !== null && typeof root === 'object') queue.push(root)
  for (let head = 0; head < queue.length && left > 0; head++) {
    const node = queue[head]!
    queue[head] = undefined as unknown as object // let the visited part be collected
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i]
        if (typeof v === 'string') {
          if (v.charCodeAt(0) === marker) {
            node[i] = markedToRaw(v)
            left--
          }
        } else if (v !== null && typeof v === 'object') {
          queue.push(v)
        }
      }
    } else {
      const obj = node as Record<string, unknown>
      for (const key in obj) {
        const v = obj[key]
        if (typeof v === 'string') {
          if (v.charCodeAt(0) === marker) {
            // A JSON key "__proto__" is an own property: keep it one rather than setting the prototype.
            if (key === '__proto__') Object.defineProperty(obj, key, { value: markedToRaw(v), writable: true, enumerable: true, configurable: true })
            else obj[key] = markedToRaw(v)
            left--
          }
        } else if (v !== null && typeof v === 'object') {
          queue.push(v)
        }
      }
    }
  }
  if (left > 0) throw new SyntaxError('Unexpected number in JSON: a number where an object key must be')
  return root
}

/**
 * Parses JSON text keeping numbers a double would not reproduce as {@link RawNumber}s (the exact path), as `plan`
 * says (see {@link ExactPlan}; default: every such number anywhere).
 *
 * @throws SyntaxError on invalid JSON.
 */
export function parseExactJson(text: string, plan: ExactPlan = { integersOnly: false }): unknown {
  const marker = pickMarker(text)
  if (marker < 0) return jsonSourceTextSupported() ? parseWithReviver(text, exactReviver) : JSON.parse(text)
  if (plan.integersOnly) {
    const guess = markLongIntegersSpeculatively(text, marker)
    let value: unknown
    let parsed = false
    try {
      value = JSON.parse(guess.text)
      parsed = true
    } catch {
      // A rewritten run was inside a string (or the body is invalid): scan properly below.
    }
    if (parsed) return guess.marked === 0 ? value : restoreMarked(value, marker, guess.marked)
  }
  const scanned =
    plan.numericColumns !== undefined ? markNumericCells(text, marker, plan.numericColumns) : markInexactNumbers(text, marker, plan.integersOnly)
  const value: unknown = JSON.parse(scanned.text)
  return scanned.marked === 0 ? value : restoreMarked(value, marker, scanned.marked)
}

/**
 * Parses a response body. Returns the value and whether it went through the exact path (then numbers that a
 * double cannot reproduce are {@link RawNumber}s: integers beyond ±(2^53-1) always; other numbers whose double
 * prints differently, like `1.50`, in the cells of NUMERIC columns, or anywhere in a body without `col_types`).
 *
 * @throws SyntaxError on invalid JSON.
 */
export function parseResponseJson(body: Buffer): { value: unknown; exact: boolean } {
  const text = body.toString('utf8')
  const plan = exactPlan(body, text)
  if (plan === undefined) return { value: JSON.parse(text), exact: false }
  return { value: parseExactJson(text, plan), exact: true }
}
