/**
 * Splits a Druid SQL result body, as it arrives, into rows, and checks its terminator. Shapes per format
 * (apache/druid `sql/src/main/java/org/apache/druid/sql/http/{ArrayWriter,ObjectWriter,ArrayLinesWriter,
 * ObjectLinesWriter,CsvWriter}.java`; https://druid.apache.org/docs/latest/api-reference/sql-api#responses):
 *
 * - `array`, `object`: `[` rows separated by `,` `]` then a newline;
 * - `arrayLines`, `objectLines`: one JSON value per line, then one blank line;
 * - `csv`: RFC 4180 records (quoted only when needed), then one blank line.
 *
 * Rows are parsed in batches: the complete rows of each chunk go through one `JSON.parse` call.
 */

/** Druid's SQL result formats. */
export type ResultFormat = 'array' | 'object' | 'arrayLines' | 'objectLines' | 'csv'

/** One parsed batch: the rows, and for JSON formats the text they were parsed from (for an exact re-parse). */
export interface RowBatch {
  rows: unknown[]
  /** A JSON array text holding the same rows, or `undefined` for csv. */
  json: string | undefined
}

const EMPTY: RowBatch = { rows: [], json: undefined }

/** Incremental splitter for one body. `push` text chunks, then `finish()`; `complete` tells whether the terminator came. */
export interface BodySplitter {
  push(text: string): RowBatch
  /** Parses what is left; afterwards `complete` is final. */
  finish(): RowBatch
  readonly complete: boolean
}

function batch(parts: string): RowBatch {
  const json = `[${parts}]`
  return { rows: JSON.parse(json) as unknown[], json }
}

/** `arrayLines` / `objectLines`. */
class LinesSplitter implements BodySplitter {
  #carry = ''
  #terminated = false // a blank line was read
  #extra = false // a row after the blank line

  get complete(): boolean {
    return this.#terminated && !this.#extra && this.#carry === ''
  }

  push(text: string): RowBatch {
    if (text.length === 0) return EMPTY
    const all = this.#carry === '' ? text : this.#carry + text
    const last = all.lastIndexOf('\n')
    if (last < 0) {
      this.#carry = all
      return EMPTY
    }
    this.#carry = all.slice(last + 1)
    // Every element of body.split('\n') is one line that ended with a newline.
    const body = all.slice(0, last)
    if (!this.#terminated && body !== '' && body.charCodeAt(0) !== 10 && body.charCodeAt(body.length - 1) !== 10 && !body.includes('\n\n')) {
      return batch(body.replaceAll('\n', ','))
    }
    const rows: string[] = []
    for (const line of body.split('\n')) {
      if (line === '') this.#terminated = true
      else if (this.#terminated) this.#extra = true
      else rows.push(line)
    }
    return rows.length === 0 ? EMPTY : batch(rows.join(','))
  }

  finish(): RowBatch {
    return EMPTY
  }
}

/** `array` / `object`: top-level elements found by bracket depth outside strings. */
class BracketSplitter implements BodySplitter {
  #carry = ''
  #started = false
  #closed = false
  #newline = false
  #extra = false

  get complete(): boolean {
    return this.#closed && this.#newline && !this.#extra
  }

  push(text: string): RowBatch {
    const s = this.#carry + text
    this.#carry = ''
    const parts: string[] = []
    let i = 0
    const n = s.length
    while (i < n) {
      const c = s.charCodeAt(i)
      if (this.#closed) {
        if (c === 10 && !this.#newline) this.#newline = true
        else this.#extra = true
        i++
        continue
      }
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 44) {
        i++
        continue
      }
      if (!this.#started) {
        if (c === 91) this.#started = true
        else this.#extra = true
        i++
        continue
      }
      if (c === 93) {
        this.#closed = true
        i++
        continue
      }
      const end = scanValue(s, i)
      if (end < 0) {
        this.#carry = s.slice(i)
        break
      }
      parts.push(s.slice(i, end))
      i = end
    }
    return parts.length === 0 ? EMPTY : batch(parts.join(','))
  }

  finish(): RowBatch {
    return EMPTY
  }
}

/** End index (exclusive) of the JSON value starting at `start`, or -1 when it is not complete in `s`. */
function scanValue(s: string, start: number): number {
  let depth = 0
  let i = start
  const n = s.length
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c === 34) {
      i++
      while (i < n) {
        const d = s.charCodeAt(i)
        if (d === 92) i += 2
        else if (d === 34) break
        else i++
      }
      if (i >= n) return -1
      i++
      if (depth === 0) return i
      continue
    }
    if (c === 91 || c === 123) depth++
    else if (c === 93 || c === 125) {
      depth--
      if (depth === 0) return i + 1
    } else if (depth === 0 && (c === 44 || c === 10 || c === 32)) return i
    i++
  }
  return -1
}

/** `csv`: records of strings; an unquoted empty field is `null` (Druid writes NULL as an empty field). */
class CsvSplitter implements BodySplitter {
  #carry = ''
  #ended = false
  #extra = false

  get complete(): boolean {
    return this.#ended && !this.#extra && this.#carry === ''
  }

  push(text: string): RowBatch {
    const s = this.#carry + text
    const rows: unknown[] = []
    let i = 0
    const n = s.length
    let recordStart = 0
    outer: while (i < n) {
      if (this.#ended) {
        this.#extra = true
        return { rows, json: undefined }
      }
      recordStart = i
      if (s.charCodeAt(i) === 10) {
        this.#ended = true
        i++
        recordStart = i
        continue
      }
      const record: (string | null)[] = []
      for (;;) {
        if (i >= n) break outer
        let value: string | null
        if (s.charCodeAt(i) === 34) {
          let j = i + 1
          let out = ''
          for (;;) {
            const q = s.indexOf('"', j)
            if (q < 0 || q + 1 >= n) break outer
            if (s.charCodeAt(q + 1) === 34) {
              out += s.slice(j, q + 1)
              j = q + 2
              continue
            }
            out += s.slice(j, q)
            i = q + 1
            break
          }
          value = out
        } else {
          let j = i
          while (j < n && s.charCodeAt(j) !== 44 && s.charCodeAt(j) !== 10) j++
          if (j >= n) break outer
          value = j === i ? null : s.slice(i, j)
          i = j
        }
        record.push(value)
        if (i >= n) break outer
        const sep = s.charCodeAt(i)
        i++
        if (sep === 10) break
      }
      rows.push(record)
      recordStart = i
    }
    this.#carry = i >= n && recordStart >= n ? '' : s.slice(recordStart)
    if (this.#ended && this.#carry !== '') this.#extra = true
    return { rows, json: undefined }
  }

  finish(): RowBatch {
    return EMPTY
  }
}

/** The splitter for `format`. */
export function createSplitter(format: ResultFormat): BodySplitter {
  switch (format) {
    case 'arrayLines':
    case 'objectLines':
      return new LinesSplitter()
    case 'array':
    case 'object':
      return new BracketSplitter()
    case 'csv':
      return new CsvSplitter()
  }
}
