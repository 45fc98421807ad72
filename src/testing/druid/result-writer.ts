import type { DuckDBType } from '@duckdb/node-api'

/**
 * Druid's SQL result formats written from DuckDB rows (apache/druid `sql/src/main/java/org/apache/druid/sql/http/
 * {ArrayWriter,ObjectWriter,ArrayLinesWriter,ObjectLinesWriter,CsvWriter}.java`;
 * https://druid.apache.org/docs/latest/api-reference/sql-api#responses).
 */
export type ResultFormat = 'array' | 'object' | 'arrayLines' | 'objectLines' | 'csv'

/** A result column as Druid reports it. */
export interface OutColumn {
  name: string
  nativeType: string
  sqlType: string
  /** Encodes one JS value (from DuckDB's `getRowsJS`) as JSON text. */
  json: (v: unknown) => string
}

function jsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`
  return JSON.stringify(value)
}

const ENCODE_STRING = (v: unknown): string => (v === null ? 'null' : JSON.stringify(v))
const ENCODE_NUMBER = (v: unknown): string => (v === null ? 'null' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : String(v))
const ENCODE_TIME = (v: unknown): string => (v === null ? 'null' : `"${(v as Date).toISOString()}"`)
const ENCODE_BOOL = (v: unknown): string => (v === null ? 'null' : v ? 'true' : 'false')

/**
 * Druid's native and SQL type for a DuckDB type, and the value encoder: TIMESTAMP/DATE as ISO-8601 text with
 * millis in UTC, LONG as JSON integers (64-bit exact), arrays as JSON text (Druid's default `sqlStringifyArrays`),
 * structs/maps/JSON as `COMPLEX<json>` objects.
 */
export function describeColumn(name: string, type: DuckDBType, stringifyArrays: boolean): OutColumn {
  const t = type.toString()
  if (t === 'BIGINT' || t === 'HUGEINT' || t === 'UBIGINT' || t === 'UHUGEINT') return { name, nativeType: 'LONG', sqlType: 'BIGINT', json: ENCODE_NUMBER }
  if (/^U?(INTEGER|SMALLINT|TINYINT)$/.test(t)) return { name, nativeType: 'LONG', sqlType: 'INTEGER', json: ENCODE_NUMBER }
  if (t === 'DOUBLE') return { name, nativeType: 'DOUBLE', sqlType: 'DOUBLE', json: ENCODE_NUMBER }
  if (t === 'FLOAT') return { name, nativeType: 'FLOAT', sqlType: 'FLOAT', json: ENCODE_NUMBER }
  if (t.startsWith('DECIMAL')) return { name, nativeType: 'DOUBLE', sqlType: 'DECIMAL', json: ENCODE_NUMBER }
  if (t === 'BOOLEAN') return { name, nativeType: 'LONG', sqlType: 'BOOLEAN', json: ENCODE_BOOL }
  if (t.startsWith('TIMESTAMP')) return { name, nativeType: 'LONG', sqlType: 'TIMESTAMP', json: ENCODE_TIME }
  if (t === 'DATE') return { name, nativeType: 'LONG', sqlType: 'DATE', json: ENCODE_TIME }
  if (t === 'VARCHAR' || t === 'UUID') return { name, nativeType: 'STRING', sqlType: 'VARCHAR', json: ENCODE_STRING }
  if (t.endsWith('[]')) {
    const inner = t.slice(0, -2)
    const element = /INT/.test(inner) ? 'LONG' : inner === 'DOUBLE' || inner === 'FLOAT' || inner.startsWith('DECIMAL') ? 'DOUBLE' : 'STRING'
    return {
      name,
      nativeType: `ARRAY<${element}>`,
      sqlType: 'ARRAY',
      json: stringifyArrays ? (v) => (v === null ? 'null' : JSON.stringify(jsonText(v))) : jsonText,
    }
  }
  return { name, nativeType: 'COMPLEX<json>', sqlType: 'OTHER', json: (v) => (typeof v === 'string' ? safeJson(v) : jsonText(v)) }
}

function safeJson(text: string): string {
  try {
    JSON.parse(text)
    return text
  } catch {
    return JSON.stringify(text)
  }
}

/** Header and type flags of one request. */
export interface HeaderFlags {
  header: boolean
  typesHeader: boolean
  sqlTypesHeader: boolean
}

function csvField(v: string | null): string {
  if (v === null) return ''
  if (v === '' ) return '""'
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v
}

function csvValue(col: OutColumn, v: unknown): string | null {
  if (v === null || v === undefined) return null
  const j = col.json(v)
  if (j === 'null') return null
  return j.startsWith('"') ? (JSON.parse(j) as string) : j
}

/** Writes one result: `start()` (header rows), `rows()` per chunk, `end()` (the terminator). */
export class FormatWriter {
  readonly #format: ResultFormat
  readonly #columns: OutColumn[]
  readonly #flags: HeaderFlags
  #first = true
  readonly #keys: string[]

  constructor(format: ResultFormat, columns: OutColumn[], flags: HeaderFlags) {
    this.#format = format
    this.#columns = columns
    this.#flags = flags
    this.#keys = columns.map((c) => `${JSON.stringify(c.name)}:`)
  }

  #record(parts: string[]): string {
    switch (this.#format) {
      case 'array':
      case 'object': {
        const sep = this.#first ? '[' : ','
        this.#first = false
        return sep + (this.#format === 'array' ? `[${parts.join(',')}]` : `{${parts.join(',')}}`)
      }
      case 'arrayLines':
        return `[${parts.join(',')}]\n`
      case 'objectLines':
        return `{${parts.join(',')}}\n`
      case 'csv':
        return `${parts.join(',')}\n`
    }
  }

  /** The header row(s) (may be empty). */
  start(): string {
    const f = this.#flags
    if (!f.header) return ''
    const cols = this.#columns
    if (this.#format === 'object' || this.#format === 'objectLines') {
      const parts = cols.map((c, i) => {
        if (!f.typesHeader && !f.sqlTypesHeader) return `${this.#keys[i]}null`
        const t: string[] = []
        if (f.typesHeader) t.push(`"type":${JSON.stringify(c.nativeType)}`)
        if (f.sqlTypesHeader) t.push(`"sqlType":${JSON.stringify(c.sqlType)}`)
        return `${this.#keys[i]}{${t.join(',')}}`
      })
      return this.#record(parts)
    }
    const q = this.#format === 'csv' ? (s: string) => csvField(s) : (s: string) => JSON.stringify(s)
    let out = this.#record(cols.map((c) => q(c.name)))
    if (f.typesHeader) out += this.#record(cols.map((c) => q(c.nativeType)))
    if (f.sqlTypesHeader) out += this.#record(cols.map((c) => q(c.sqlType)))
    return out
  }

  /** Rows from DuckDB (`getRowsJS`). */
  rows(rows: unknown[][]): string {
    const cols = this.#columns
    const n = cols.length
    let out = ''
    const format = this.#format
    for (const row of rows) {
      const parts = new Array<string>(n)
      if (format === 'csv') for (let i = 0; i < n; i++) parts[i] = csvField(csvValue(cols[i]!, row[i]))
      else if (format === 'object' || format === 'objectLines') for (let i = 0; i < n; i++) parts[i] = this.#keys[i]! + cols[i]!.json(row[i] ?? null)
      else for (let i = 0; i < n; i++) parts[i] = cols[i]!.json(row[i] ?? null)
      out += this.#record(parts)
    }
    return out
  }

  /** Rows DuckDB already encoded as JSON text (see {@link engineRowSql}); JSON formats only. */
  encodedRows(texts: string[]): string {
    if (texts.length === 0) return ''
    if (this.#format === 'arrayLines' || this.#format === 'objectLines') return `${texts.join('\n')}\n`
    const sep = this.#first ? '[' : ','
    this.#first = false
    return sep + texts.join(',')
  }

  /** The terminator: `]` + newline, or a blank line. */
  end(): string {
    switch (this.#format) {
      case 'array':
      case 'object':
        return this.#first ? '[]\n' : ']\n'
      default:
        return '\n'
    }
  }
}

/**
 * A SQL expression that makes DuckDB encode each row of `(<query>)` as one JSON text in Druid's value encoding
 * (ISO timestamps with millis, exact integers, arrays stringified unless `stringifyArrays` is false, non-finite
 * doubles as null), as an array or an object keyed by `names`. Columns are referenced by position (`#n`), so
 * repeated output names are fine. Encoding in the engine is several times faster than in JavaScript.
 */
export function engineRowSql(types: readonly DuckDBType[], names: readonly string[], objects: boolean, stringifyArrays: boolean): string {
  const parts = types.map((type, index) => {
    const t = type.toString()
    const ref = `#${index + 1}`
    let e: string
    if (t.startsWith('TIMESTAMP') || t === 'DATE') e = `strftime(CAST(${ref} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')`
    else if (t === 'DOUBLE' || t === 'FLOAT') e = `CASE WHEN isfinite(${ref}) THEN ${ref} END`
    else if (t.endsWith('[]')) e = stringifyArrays ? `CAST(to_json(${ref}) AS VARCHAR)` : `to_json(${ref})`
    else if (/^(U?(BIGINT|HUGEINT|INTEGER|SMALLINT|TINYINT)|BOOLEAN|VARCHAR)$/.test(t) || t.startsWith('DECIMAL')) e = ref
    else e = `to_json(${ref})`
    return objects ? `'${names[index]!.replaceAll("'", "''")}', ${e}` : e
  })
  return `CAST(${objects ? 'json_object' : 'json_array'}(${parts.join(', ')}) AS VARCHAR)`
}
