import { columnDecoder, exactReviver, passthrough, isIntegerType, type CellDecoder, type DecodeOptions, type DruidColumn } from './column-types.ts'
import type { ResultFormat, RowBatch } from './body-splitter.ts'
import { DruidProtocolError } from './errors.ts'
import { arrayRowDecoder, objectRowBuilder, type ArrayRowDecoder, type ObjectRowBuilder } from './row-builder.ts'

/** How rows are returned: `'object'` keyed by column name (a repeated name keeps the last value), or `'array'`. */
export type RowMode = 'object' | 'array'

/** What the request asked for, and whether the server said the type rows are there. */
export interface HeaderExpectation {
  header: boolean
  typesHeader: boolean
  sqlTypesHeader: boolean
  /** The `X-Druid-SQL-Header-Included: yes` response header was present (type rows are then really sent). */
  included: boolean
}

const MAX = Number.MAX_SAFE_INTEGER

/**
 * Turns parsed batches of one result into typed rows: reads the header row(s) first (names, then Druid types, then
 * SQL types for `array`/`arrayLines`/`csv`; a `{name: {type, sqlType}}` object for `object`/`objectLines`), then
 * decodes every cell by its column's SQL type. Integers beyond ±(2^53-1) in integer columns are read exactly by
 * re-parsing their batch with the source-text reviver.
 */
export class ResultDecoder {
  columns: DruidColumn[] | undefined
  readonly #objectFormat: boolean
  readonly #rowMode: RowMode
  readonly #options: DecodeOptions
  #headerRowsLeft: number
  #pending: DruidColumn[] | undefined
  #decoders: CellDecoder[] = []
  #names: string[] = []
  #integerIndexes: number[] = []
  #exactAll = false
  #fromArray: ObjectRowBuilder | undefined
  #fromObject: ObjectRowBuilder | undefined
  #inPlace: ArrayRowDecoder | undefined

  constructor(format: ResultFormat, expect: HeaderExpectation, rowMode: RowMode, options: DecodeOptions) {
    this.#objectFormat = format === 'object' || format === 'objectLines'
    this.#rowMode = rowMode
    this.#options = options
    this.#headerRowsLeft = !expect.header ? 0 : this.#objectFormat ? 1 : 1 + (expect.included ? Number(expect.typesHeader) + Number(expect.sqlTypesHeader) : 0)
    this.#typesRow = expect.included && expect.typesHeader
    this.#sqlTypesRow = expect.included && expect.sqlTypesHeader
  }

  readonly #typesRow: boolean
  readonly #sqlTypesRow: boolean
  #headerIndex = 0

  /** Decodes one batch; returns its data rows. */
  decode(batch: RowBatch): unknown[] {
    let rows = batch.rows
    if (rows.length === 0) return rows
    if (batch.json !== undefined && this.#needsExact(rows)) rows = JSON.parse(batch.json, exactReviver as never) as unknown[]
    let start = 0
    while (this.#headerRowsLeft > 0 && start < rows.length) {
      this.#readHeader(rows[start])
      start++
      this.#headerRowsLeft--
      if (this.#headerRowsLeft === 0) this.#setColumns(this.#pending!)
    }
    if (start >= rows.length) return []
    if (this.columns === undefined) this.#inferColumns(rows[start])
    const out = new Array<unknown>(rows.length - start)
    const decoders = this.#decoders
    const names = this.#names
    const width = decoders.length
    for (let r = start; r < rows.length; r++) {
      const raw = rows[r]
      if (this.#objectFormat && !Array.isArray(raw)) {
        const o = raw as Record<string, unknown>
        if (this.#rowMode === 'object') {
          const build = (this.#fromObject ??= objectRowBuilder(names, decoders, 'object', passthrough))
          out[r - start] = build(o as never)
        } else {
          const row = new Array<unknown>(width)
          for (let i = 0; i < width; i++) row[i] = decoders[i]!(o[names[i]!] ?? null)
          out[r - start] = row
        }
        continue
      }
      if (!Array.isArray(raw)) throw new DruidProtocolError(`Druid sent a row that is not an array: ${JSON.stringify(raw)?.slice(0, 100)}`, { code: 'BAD_ROW' })
      if (this.#rowMode === 'object') {
        const build = (this.#fromArray ??= objectRowBuilder(names, decoders, 'array', passthrough))
        out[r - start] = build(raw as never)
      } else {
        // The parsed array is ours alone: decode in place (no second array per row).
        out[r - start] = (this.#inPlace ??= arrayRowDecoder(decoders, passthrough))(raw)
      }
    }
    return out
  }

  #needsExact(rows: unknown[]): boolean {
    const idx = this.#integerIndexes
    if (this.columns === undefined || this.#exactAll) return true
    if (idx.length === 0) return false
    if (this.#objectFormat) {
      const names = this.#names
      for (const row of rows) {
        if (row === null || typeof row !== 'object') continue
        for (const i of idx) {
          const v = (row as Record<string, unknown>)[names[i]!]
          if (typeof v === 'number' && (v > MAX || v < -MAX)) return true
        }
      }
      return false
    }
    for (const row of rows) {
      if (!Array.isArray(row)) continue
      for (const i of idx) {
        const v = row[i]
        if (typeof v === 'number' && (v > MAX || v < -MAX)) return true
      }
    }
    return false
  }

  #readHeader(row: unknown): void {
    if (this.#objectFormat) {
      const cols: DruidColumn[] = []
      for (const [name, t] of Object.entries((row ?? {}) as Record<string, { type?: string; sqlType?: string } | null>)) {
        cols.push({ name, ...(t?.type !== undefined ? { nativeType: t.type } : {}), ...(t?.sqlType !== undefined ? { sqlType: t.sqlType } : {}) })
      }
      this.#pending = cols
      return
    }
    const values = (row as unknown[]).map((v) => String(v))
    const which = this.#headerIndex++
    if (which === 0) this.#pending = values.map((name) => ({ name }))
    else if (which === 1 && this.#typesRow) values.forEach((t, i) => (this.#pending![i]!.nativeType = t))
    else values.forEach((t, i) => (this.#pending![i]!.sqlType = t))
  }

  #setColumns(columns: DruidColumn[]): void {
    this.columns = columns
    this.#names = columns.map((c) => c.name)
    this.#decoders = columns.map((c) => columnDecoder(c, this.#options))
    this.#fromArray = undefined
    this.#fromObject = undefined
    this.#inPlace = undefined
    this.#integerIndexes = []
    columns.forEach((c, i) => {
      if (isIntegerType(c.sqlType) || (c.sqlType === undefined && (c.nativeType === 'LONG' || c.nativeType === undefined))) this.#integerIndexes.push(i)
    })
    this.#exactAll = false
  }

  #inferColumns(first: unknown): void {
    const names = Array.isArray(first) ? first.map((_, i) => String(i)) : Object.keys((first ?? {}) as object)
    this.#setColumns(names.map((name) => ({ name })))
  }
}
