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
 * 2. Otherwise parse with a reviver that reads each number's source text (`context.source`, JSON.parse source
 *    text access, V8 11.4+ / Node 21+) and keeps the text, as a {@link RawNumber}, wherever the double would not
 *    print back to the same text. The column decoder then turns those into bigint, exact NUMERIC strings, or
 *    numbers, per column type.
 *
 * Measured on a 100k-row, 7 MB body (Node 24): `JSON.parse` 86-100 ms, the scan 5 ms, the reviver path ~1.5 s,
 * `lossless-json` 4.3.3 ~0.37 s (0.49 s with a number hook). Only bodies that need it pay for the exact path.
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

const exactReviver: Reviver = function (_key, value, context) {
  if (typeof value === 'number') {
    const source = context?.source
    if (source !== undefined && String(value) !== source) return new RawNumber(source)
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
  if (hasLongInteger(body)) return true
  const types = colTypesText(text)
  return types !== undefined && NUMERIC_ID.test(types)
}

/**
 * Parses a response body. Returns the value and whether it went through the exact path (then numbers that a
 * double cannot reproduce are {@link RawNumber}s).
 *
 * @throws SyntaxError on invalid JSON.
 */
export function parseResponseJson(body: Buffer): { value: unknown; exact: boolean } {
  const text = body.toString('utf8')
  if (!needsExactParse(body, text) || !jsonSourceTextSupported()) return { value: JSON.parse(text), exact: false }
  return { value: parseWithReviver(text, exactReviver), exact: true }
}
